package dev.lmpipe.train;

import java.io.PrintStream;

/**
 * Progress for people: one line per averaging round with the round's training loss, characters per second
 * and the time left in the epoch.
 */
public final class Progress {
    private final PrintStream out;
    private final int epoch;
    private final int epochs;
    private final int rounds;
    private final long started = System.nanoTime();
    private final int skipped;
    private int done;
    private long characters;

    public Progress(PrintStream out, int epoch, int epochs, int rounds) {
        this(out, epoch, epochs, rounds, 0);
    }

    /** @param alreadyDone rounds of this epoch done before a resume: counted in the round numbers, not the speed */
    public Progress(PrintStream out, int epoch, int epochs, int rounds, int alreadyDone) {
        this.out = out;
        this.epoch = epoch;
        this.epochs = epochs;
        this.rounds = rounds;
        this.skipped = alreadyDone;
    }

    /** Prints the line of a finished round. */
    public void round(double loss, long roundCharacters) {
        done++;
        characters += roundCharacters;
        double seconds = seconds();
        double left = seconds / done * (rounds - skipped - done);
        out.printf("epoch %d/%d  round %d/%d  loss %.4f nats/char  %,.0f chars/s  elapsed %s  epoch left %s%n",
                epoch, epochs, skipped + done, rounds, loss, charactersPerSecond(), clock(seconds), clock(left));
    }

    /** Rounds reported so far by this process. */
    public int rounds() {
        return done;
    }

    public double seconds() {
        return (System.nanoTime() - started) / 1e9;
    }

    public double charactersPerSecond() {
        double seconds = seconds();
        return seconds > 0 ? characters / seconds : 0;
    }

    static String clock(double seconds) {
        long s = Math.round(seconds);
        return s >= 3600 ? String.format("%dh%02dm%02ds", s / 3600, s / 60 % 60, s % 60)
                : String.format("%dm%02ds", s / 60, s % 60);
    }
}
