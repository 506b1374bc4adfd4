package dev.lmpipe.report;

import dev.lmpipe.config.Json;
import dev.lmpipe.eval.EvaluationReport;
import dev.lmpipe.storage.StagedDirectory;
import dev.lmpipe.storage.Storage;
import dev.lmpipe.train.MetricsLine;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes a run's report into a staged directory: the PNG charts, {@code report.json}, {@code report.md} and a
 * self-contained {@code report.html} whose images sit beside it.
 */
public final class RunReportWriter {
    private RunReportWriter() {
    }

    public static RunReport write(Storage storage, StagedDirectory directory, EvaluationReport evaluation,
                                  RunHistory history, List<RunReport.Sample> samples, String sparkStatistics,
                                  int hardest) {
        var charts = new ArrayList<Chart>();
        if (!history.epochs().isEmpty() || !history.rounds().isEmpty()) {
            charts.add(Charts.loss(history));
        }
        if (!history.epochs().isEmpty()) {
            charts.add(Charts.perplexity(history));
        }
        if (!history.rounds().isEmpty()) {
            charts.add(Charts.throughput(history));
        }
        if (Charts.hasLearningRates(history)) {
            charts.add(Charts.learningRate(history));
        }
        if (!evaluation.characterLosses().isEmpty()) {
            charts.add(Charts.hardest(evaluation, hardest));
            charts.add(Charts.positions(evaluation));
        }
        for (Chart chart : charts) {
            storage.writeAll(directory.file(chart.file()), chart.png());
        }
        var report = new RunReport(evaluation, history, samples, charts.stream().map(Chart::listing).toList(), sparkStatistics);
        storage.writeAll(directory.file("report.json"), Json.write(report));
        storage.writeAll(directory.file("report.md"), evaluation.markdown(hardest).getBytes(StandardCharsets.UTF_8));
        storage.writeAll(directory.file("report.html"), html(report, hardest).getBytes(StandardCharsets.UTF_8));
        return report;
    }

    static String html(RunReport report, int hardest) {
        var e = report.evaluation();
        var body = new StringBuilder();
        body.append("<table><tr><th>measure</th><th>value</th></tr>")
                .append(row("split", String.valueOf(e.provenance().get("split"))))
                .append(row("characters evaluated", String.format("%,d", e.characters())))
                .append(row("nats per character", String.format("%.4f", e.natsPerCharacter())))
                .append(row("bits per character", String.format("%.4f", e.bitsPerCharacter())))
                .append(row("perplexity", String.format("%.3f", e.perplexity())));
        report.history().best().ifPresent(best -> body
                .append(row("best validation epoch", String.valueOf(best.epoch())))
                .append(row("characters trained", String.format("%,d", report.history().epochs().get(report.history().epochs().size() - 1).trainedCharacters()))));
        body.append("</table>\n");
        body.append("<p>Checkpoint <code>").append(Html.escape(String.valueOf(e.provenance().get("checkpoint"))))
                .append("</code>, dataset <code>").append(Html.escape(String.valueOf(e.provenance().get("dataset"))))
                .append("</code>. Every number here is in <a href=\"report.json\">report.json</a>.</p>\n");
        if (report.sparkStatistics() != null) {
            body.append("<p>DL4J's Spark training statistics: <a href=\"").append(Html.escape(report.sparkStatistics()))
                    .append("\">timeline</a>.</p>\n");
        }
        for (Chart.Listing chart : report.charts()) {
            body.append("<h2>").append(Html.escape(chart.title())).append("</h2>\n").append(Html.figure(chart));
        }
        if (!report.history().epochs().isEmpty()) {
            body.append("<h2>Epochs</h2>\n<table><tr><th>epoch</th><th>training loss</th><th>validation loss</th>"
                    + "<th>bits/char</th><th>perplexity</th><th>characters/s</th></tr>");
            for (MetricsLine m : report.history().epochs()) {
                body.append(String.format("<tr><td>%d%s</td><td>%.4f</td><td>%.4f</td><td>%.4f</td><td>%.3f</td><td>%,.0f</td></tr>",
                        m.epoch(), m.best() ? " (best so far)" : "", m.trainLoss(), m.validationLoss(),
                        m.validationBitsPerCharacter(), m.validationPerplexity(), m.charactersPerSecond()));
            }
            body.append("</table>\n");
        }
        body.append("<h2>Hardest characters</h2>\n<table><tr><th>character</th><th>count</th><th>mean nats</th></tr>");
        e.characterLosses().stream().limit(hardest).forEach(c -> body.append(String.format(
                "<tr><td><code>%s</code></td><td>%,d</td><td>%.3f</td></tr>", Html.escape(c.character()), c.count(), c.meanNats())));
        body.append("</table>\n");
        if (!report.samples().isEmpty()) {
            body.append("<h2>Samples</h2>\n");
            for (RunReport.Sample sample : report.samples()) {
                body.append("<h3>").append(Html.escape(sample.strategy())).append("</h3>\n<pre>")
                        .append(Html.escape(sample.prompt() + sample.text())).append("</pre>\n");
            }
        }
        return Html.page("lmpipe report", body.toString());
    }

    private static String row(String name, String value) {
        return "<tr><td>" + Html.escape(name) + "</td><td>" + Html.escape(value) + "</td></tr>";
    }
}
