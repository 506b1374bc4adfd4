package dev.lmpipe.retrain;

import dev.lmpipe.config.Json;
import dev.lmpipe.storage.Storage;
import dev.lmpipe.train.CheckpointStore;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;

/**
 * A model home, the directory a retraining schedule works in:
 * <pre>
 *   home/champion          the checkpoint in service, as a path relative to home (one line, replaced atomically)
 *   home/decisions.jsonl   one {@link Decision} per retraining run, promoted or not
 *   home/runs/ID/          a run: dataset/ (the new data), train/ (the challenger's run), decision.md
 * </pre>
 * {@code evaluate} and {@code generate} accept a home and use its champion.
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
