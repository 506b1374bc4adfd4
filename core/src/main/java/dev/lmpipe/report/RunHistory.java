package dev.lmpipe.report;

import dev.lmpipe.config.Json;
import dev.lmpipe.storage.Storage;
import dev.lmpipe.train.MetricsLine;
import dev.lmpipe.train.RoundLine;

import java.util.ArrayList;
import java.util.List;

/** A run's training history: one line per epoch and one per averaging round. */
public record RunHistory(List<MetricsLine> epochs, List<RoundLine> rounds) {
    public static final String EPOCHS = "metrics.jsonl";
    public static final String ROUNDS = "rounds.jsonl";

    public static RunHistory read(Storage storage, String run) {
        return new RunHistory(lines(storage, Storage.child(run, EPOCHS), MetricsLine.class),
                lines(storage, Storage.child(run, ROUNDS), RoundLine.class));
    }

    private static <T> List<T> lines(Storage storage, String path, Class<T> type) {
        return storage.exists(path) ? Json.readLines(storage.readAll(path), type, path) : new ArrayList<>();
    }

    /**
     * Drops the lines written after the checkpoint a run resumes from ({@code rounds} averaging rounds in), so
     * that the rounds it trains again are not counted twice.
     */
    public static void truncate(Storage storage, String run, long rounds) {
        var history = read(storage, run);
        rewrite(storage, Storage.child(run, EPOCHS), history.epochs().stream().filter(l -> l.rounds() <= rounds).toList(),
                history.epochs().size());
        rewrite(storage, Storage.child(run, ROUNDS), history.rounds().stream().filter(l -> l.round() <= rounds).toList(),
                history.rounds().size());
    }

    private static void rewrite(Storage storage, String path, List<?> kept, int before) {
        if (kept.size() == before) {
            return;
        }
        storage.writeAtomically(path, Json.lines(kept));
    }

    /** The epoch with the lowest validation loss, if any. */
    public java.util.Optional<MetricsLine> best() {
        return epochs.stream().min(java.util.Comparator.comparingDouble(MetricsLine::validationLoss));
    }
}
