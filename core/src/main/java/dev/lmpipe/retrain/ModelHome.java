package dev.lmpipe.retrain;

import dev.lmpipe.LmpipeException;
import dev.lmpipe.config.Json;
import dev.lmpipe.storage.Storage;
import dev.lmpipe.train.CheckpointStore;

import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * A model home, the directory a retraining schedule works in:
 * <pre>
 *   home/champion          the checkpoint in service, as a path relative to home (one line, replaced atomically)
 *   home/decisions.jsonl   one {@link Decision} per retraining run, promoted or not (and one more for a promotion
 *                          withdrawn by {@link #recover})
 *   home/runs/ID/          a run: dataset/ (the new data), train/ (the challenger's run), decision.md
 * </pre>
 * {@code evaluate} and {@code generate} accept a home and use its champion.
 * <p>
 * The last line of {@code decisions.jsonl} is a run's commit; {@code champion} follows it. A run records its
 * decision first and moves {@code champion} last, so a crash between the two leaves the previous champion serving
 * and a record that promotes another; {@link #recover} brings the two back into line before the next run.
 */
public final class ModelHome {
    public static final String CHAMPION = CheckpointStore.CHAMPION;
    public static final String DECISIONS = "decisions.jsonl";
    static final String RUNS = "runs";

    private final Storage storage;
    private final String home;

    public ModelHome(Storage storage, String home) {
        this.storage = storage;
        this.home = storage.qualify(home);
    }

    public String path() {
        return home;
    }

    /** The champion's checkpoint, if the home has one. */
    public Optional<String> champion() {
        return CheckpointStore.champion(storage, home);
    }

    /** Makes a checkpoint the champion (replacing the pointer in one atomic write). */
    public void promote(String checkpoint) {
        String prefix = home.endsWith("/") ? home : home + "/";
        String relative = checkpoint.startsWith(prefix) ? checkpoint.substring(prefix.length()) : checkpoint;
        storage.writeAtomically(Storage.child(home, CHAMPION), (relative + "\n").getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Completes a promotion that the last decision records but {@code champion} does not show yet, which is what a
     * crash between {@link #record} and {@link #promote} leaves: {@code champion} still names the checkpoint the
     * decision replaced (or nothing, for a first model). If the challenger is still a complete checkpoint,
     * {@code champion} moves to it (the move is one atomic write, and doing it twice is harmless); if not, the
     * promotion is withdrawn by appending the decision again, not promoted, saying why, and the old champion stays.
     * Either way the record and {@code champion} agree afterwards. A {@code champion} that names neither checkpoint
     * was set by hand, or the home was moved (decisions name absolute paths), and is left alone. Call it holding the
     * home's lock, before anything reads the champion, as {@code lmpipe retrain} does.
     *
     * @return what it did, for the log; empty when the record and {@code champion} already agreed
     */
    public Optional<String> recover(Instant now) {
        List<Decision> decisions = decisions();
        if (decisions.isEmpty()) {
            return Optional.empty();
        }
        Decision last = decisions.get(decisions.size() - 1);
        Optional<String> serving = champion();
        if (serving.equals(Optional.ofNullable(last.championAfter()))) {
            return Optional.empty(); // they agree
        }
        if (!last.promoted() || !serving.equals(Optional.ofNullable(last.champion()))) {
            return Optional.empty(); // set by hand, or a moved home
        }
        String unfinished = "run " + last.run() + " recorded the promotion of " + last.challenger()
                + " but stopped before moving " + CHAMPION;
        try {
            CheckpointStore.verify(storage, last.challenger());
        } catch (LmpipeException | UncheckedIOException e) {
            String stays = serving.map(c -> "the champion stays " + c).orElse("the home has no champion yet");
            String withdrawn = "promotion withdrawn: " + unfinished + ", and the challenger is no longer usable ("
                    + e.getMessage() + "); " + stays;
            record(last.withdrawn(now.toString(), withdrawn));
            return Optional.of(withdrawn);
        }
        promote(last.challenger());
        return Optional.of("promotion completed: " + unfinished + "; " + CHAMPION + " now names it");
    }

    /** A new, not yet existing run directory named after the time (with a suffix if that name is taken). */
    public String newRun(String stamp) {
        String runs = Storage.child(home, RUNS);
        String run = Storage.child(runs, stamp);
        for (int i = 2; storage.exists(run); i++) {
            run = Storage.child(runs, stamp + "-" + i);
        }
        return run;
    }

    public void record(Decision decision) {
        storage.append(Storage.child(home, DECISIONS), Json.lines(List.of(decision)));
    }

    public List<Decision> decisions() {
        String path = Storage.child(home, DECISIONS);
        return storage.exists(path) ? Json.readLines(storage.readAll(path), Decision.class, path) : List.of();
    }
}
