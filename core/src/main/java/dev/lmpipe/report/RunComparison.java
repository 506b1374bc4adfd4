package dev.lmpipe.report;

import dev.lmpipe.LmpipeException;
import dev.lmpipe.config.Json;
import dev.lmpipe.storage.StagedDirectory;
import dev.lmpipe.storage.Storage;
import dev.lmpipe.train.MetricsLine;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;

/**
 * {@code lmpipe report --runs A B C}: several runs' validation curves on one chart and their final figures
 * in one table, written as {@code comparison.html}, {@code comparison.json} and {@code validation.png}.
 */
public final class RunComparison {
    private RunComparison() {
    }

    /**
     * One run's figures.
     *
     * @param bestValidationLoss   lowest validation loss, nats per character
     * @param charactersPerSecond  mean of the epochs' training throughput
     */
    public record Row(String run, int epochs, int bestEpoch, double bestValidationLoss, double bestBitsPerCharacter,
                      double bestPerplexity, long trainedCharacters, double charactersPerSecond) {
    }

    /** The comparison as comparison.json holds it. */
    public record Comparison(List<Row> runs, Chart.Listing chart) {
    }

    public static Comparison write(Storage storage, StagedDirectory directory, List<String> runs) {
        var histories = new LinkedHashMap<String, RunHistory>();
        var labels = labels(runs);
        for (int i = 0; i < runs.size(); i++) {
            var history = RunHistory.read(storage, runs.get(i));
            if (history.epochs().isEmpty()) {
                throw new LmpipeException("run " + runs.get(i) + " has no " + RunHistory.EPOCHS + ": is it an lmpipe train output?");
            }
            histories.put(labels.get(i), history);
        }
        var rows = new ArrayList<Row>();
        histories.forEach((name, history) -> rows.add(row(name, history)));
        Chart chart = Charts.compare(histories);
        storage.writeAll(directory.file(chart.file()), chart.png());
        var comparison = new Comparison(rows, chart.listing());
        storage.writeAll(directory.file("comparison.json"), Json.write(comparison));
        storage.writeAll(directory.file("comparison.html"), html(comparison).getBytes(StandardCharsets.UTF_8));
        return comparison;
    }

    static Row row(String name, RunHistory history) {
        MetricsLine best = history.best().orElseThrow();
        MetricsLine last = history.epochs().get(history.epochs().size() - 1);
        double speed = history.epochs().stream().mapToDouble(MetricsLine::charactersPerSecond).average().orElse(0);
        return new Row(name, history.epochs().size(), best.epoch(), best.validationLoss(),
                best.validationBitsPerCharacter(), best.validationPerplexity(), last.trainedCharacters(), speed);
    }

    /**
     * Runs' names: the directory names, or parent/name when two directories share a name (runs are often all
     * called "run"), and a number as the last resort.
     */
    static List<String> labels(List<String> runs) {
        var names = runs.stream().map(Storage::name).toList();
        boolean clash = names.stream().distinct().count() < names.size();
        var labels = new ArrayList<String>();
        for (String run : runs) {
            String label = clash ? Storage.name(Storage.parent(run)) + "/" + Storage.name(run) : Storage.name(run);
            String unique = label;
            for (int i = 2; labels.contains(unique); i++) {
                unique = label + " (" + i + ")";
            }
            labels.add(unique);
        }
        return labels;
    }

    static String html(Comparison comparison) {
        var body = new StringBuilder("<table><tr><th>run</th><th>epochs</th><th>best epoch</th><th>best validation loss</th>"
                + "<th>bits/char</th><th>perplexity</th><th>characters trained</th><th>characters/s</th></tr>");
        for (Row r : comparison.runs()) {
            body.append(String.format("<tr><td>%s</td><td>%d</td><td>%d</td><td>%.4f</td><td>%.4f</td><td>%.3f</td><td>%,d</td><td>%,.0f</td></tr>",
                    Html.escape(r.run()), r.epochs(), r.bestEpoch(), r.bestValidationLoss(), r.bestBitsPerCharacter(),
                    r.bestPerplexity(), r.trainedCharacters(), r.charactersPerSecond()));
        }
        body.append("</table>\n<p>Every number here is in <a href=\"comparison.json\">comparison.json</a>.</p>\n");
        body.append("<h2>").append(Html.escape(comparison.chart().title())).append("</h2>\n").append(Html.figure(comparison.chart()));
        return Html.page("lmpipe run comparison", body.toString());
    }
}
