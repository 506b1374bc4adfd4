package dev.lmpipe.report;

import dev.lmpipe.config.Json;
import dev.lmpipe.eval.EvaluationReport;
import dev.lmpipe.eval.LossTotals;
import dev.lmpipe.storage.Storage;
import dev.lmpipe.text.Vocabulary;
import dev.lmpipe.train.MetricsLine;
import dev.lmpipe.train.RoundLine;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class RunReportWriterTest {
    @TempDir
    Path work;

    private final Storage storage = new Storage();

    /** A fixed three-epoch history, written as train writes it. */
    static Path writeRun(Path run, double firstValidation) throws Exception {
        Files.createDirectories(run);
        var epochs = new StringBuilder();
        var rounds = new StringBuilder();
        for (int epoch = 1; epoch <= 3; epoch++) {
            double validation = firstValidation / epoch;
            epochs.append(Json.line(new MetricsLine(epoch, epoch * 40L, epoch * 4L, epoch * 81_920L, validation + 0.1,
                    validation, validation / Math.log(2), Math.exp(validation), 10, 8192, true, "c" + epoch, "t"))).append('\n');
            for (int r = 1; r <= 4; r++) {
                long round = (epoch - 1) * 4L + r;
                rounds.append(Json.line(new RoundLine(epoch, round, round * 20_480, 3.0 / round, round * 2.5, 8000 + round, 0.002)))
                        .append('\n');
            }
        }
        Files.writeString(run.resolve(RunHistory.EPOCHS), epochs);
        Files.writeString(run.resolve(RunHistory.ROUNDS), rounds);
        return run;
    }

    static EvaluationReport evaluation() {
        var vocabulary = new Vocabulary("abc\n".codePoints().toArray());
        var totals = new LossTotals(vocabulary.size());
        for (int i = 0; i < 200; i++) {
            totals.add(1 + i % 4, i % 8, 0.5 + (i % 4) * 0.25);
        }
        return EvaluationReport.of(totals, vocabulary, 1.0, Map.of("split", "validation", "checkpoint", "c3", "dataset", "d"));
    }

    @Test
    void roundsWrittenBeforeTheLearningRateWasRecordedReadWithoutItAndDrawNoRateChart() throws Exception {
        Path run = work.resolve("older-run");
        Files.createDirectories(run);
        Files.writeString(run.resolve(RunHistory.ROUNDS), "{\"epoch\":1,\"round\":1,\"trainedCharacters\":2048,"
                + "\"loss\":3.1,\"seconds\":1.5,\"charactersPerSecond\":1365.3}\n");
        var history = RunHistory.read(storage, run.toString());
        assertThat(history.rounds()).singleElement().extracting(RoundLine::learningRate).isNull();
        assertThat(Charts.hasLearningRates(history)).isFalse();
    }

    @Test
    void reportRendersFromFixedMetricsWithDecodablePngsResolvableLinksAndMatchingNumbers() throws Exception {
        Path run = writeRun(work.resolve("run"), 2.4);
        var history = RunHistory.read(storage, run.toString());
        assertThat(history.epochs()).hasSize(3);
        assertThat(history.rounds()).hasSize(12);

        Path output = work.resolve("report");
        RunReport report;
        try (var staged = storage.stage(output.toString(), false)) {
            report = RunReportWriter.write(storage, staged, evaluation(), history,
                    List.of(new RunReport.Sample("T=0.5", "a", "bc")), null, 20);
            staged.commit();
        }

        assertThat(report.charts()).extracting(Chart.Listing::file)
                .containsExactly("loss.png", "perplexity.png", "throughput.png", "learning-rate.png", "hardest.png",
                        "position.png");
        for (var chart : report.charts()) {
            var image = ImageIO.read(output.resolve(chart.file()).toFile());
            assertThat(image).as(chart.file()).isNotNull();
            assertThat(image.getWidth()).isEqualTo(800);
        }

        String html = Files.readString(output.resolve("report.html"), StandardCharsets.UTF_8);
        var links = Pattern.compile("(?:src|href)=\"([^\"]+)\"").matcher(html);
        var targets = new ArrayList<String>();
        while (links.find()) {
            targets.add(links.group(1));
        }
        assertThat(targets).contains("loss.png", "report.json");
        for (String target : targets) {
            assertThat(output.resolve(target)).as("link " + target).exists();
        }

        var json = Json.MAPPER.readTree(output.resolve("report.json").toFile());
        var epochs = json.get("history").get("epochs");
        for (int i = 0; i < 3; i++) {
            assertThat(epochs.get(i).get("validationLoss").asDouble()).isEqualTo(history.epochs().get(i).validationLoss());
        }
        assertThat(json.get("evaluation").get("natsPerCharacter").asDouble()).isCloseTo(0.875, within(1e-12));
        assertThat(json.get("evaluation").get("positionLosses")).hasSize(8);
        assertThat(html).contains(String.format("%.4f", history.epochs().get(2).validationLoss()), "0.8750", "T=0.5");
    }

    @Test
    void reportWithoutHistoryStillShowsTheEvaluation() throws Exception {
        Path output = work.resolve("bare");
        try (var staged = storage.stage(output.toString(), false)) {
            var report = RunReportWriter.write(storage, staged, evaluation(), new RunHistory(List.of(), List.of()),
                    List.of(), null, 20);
            assertThat(report.charts()).extracting(Chart.Listing::file).containsExactly("hardest.png", "position.png");
            staged.commit();
        }
        assertThat(Files.readString(output.resolve("report.html"))).contains("bits per character");
    }

    @Test
    void sparkStatisticsAreLinkedWhenPresent() throws Exception {
        Path output = work.resolve("linked");
        try (var staged = storage.stage(output.toString(), false)) {
            RunReportWriter.write(storage, staged, evaluation(), new RunHistory(List.of(), List.of()), List.of(),
                    "../spark-stats.html", 20);
            staged.commit();
        }
        assertThat(Files.readString(output.resolve("report.html"))).contains("href=\"../spark-stats.html\"");
    }
}
