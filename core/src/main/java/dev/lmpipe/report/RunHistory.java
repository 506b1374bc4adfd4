package dev.lmpipe.report;

import dev.lmpipe.LmpipeException;
import dev.lmpipe.config.Json;
import dev.lmpipe.storage.Storage;
import dev.lmpipe.train.MetricsLine;
import dev.lmpipe.train.RoundLine;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
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
        var result = new ArrayList<T>();
        if (!storage.exists(path)) {
            return result;
        }
        String[] lines = new String(storage.readAll(path), StandardCharsets.UTF_8).split("\n");
        for (int i = 0; i < lines.length; i++) {
            if (lines[i].isBlank()) {
                continue;
            }
            try {
                result.add(Json.MAPPER.readValue(lines[i], type));
            } catch (IOException e) {
                throw new LmpipeException(path + " line " + (i + 1) + " is not a valid record: " + e.getMessage(), e);
            }
        }
        return result;
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
        var text = new StringBuilder();
        for (Object line : kept) {
            text.append(Json.line(line)).append('\n');
        }
        storage.writeAtomically(path, text.toString().getBytes(StandardCharsets.UTF_8));
    }

    /** The epoch with the lowest validation loss, if any. */
    public java.util.Optional<MetricsLine> best() {
        return epochs.stream().min(java.util.Comparator.comparingDouble(MetricsLine::validationLoss));
    }
}
