package dev.lmpipe.report;

import dev.lmpipe.eval.EvaluationReport;
import dev.lmpipe.train.MetricsLine;
import dev.lmpipe.train.RoundLine;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The PNG charts of the reports, drawn by XChart. Every function is pure: data in, PNG bytes out. */
public final class Charts {
    private static final int WIDTH = 800;
    private static final int HEIGHT = 450;

    static {
        // Charts are drawn off-screen, on machines without a display.
        System.setProperty("java.awt.headless", "true");
    }

    private Charts() {
    }

    /** Training loss per averaging round and validation loss per evaluation, against characters trained. */
    public static dev.lmpipe.report.Chart loss(RunHistory history) {
        XYChart chart = xy("Loss", "characters trained (millions)", "nats per character");
        if (!history.rounds().isEmpty()) {
            chart.addSeries("training loss per round", millions(history.rounds().stream().map(RoundLine::trainedCharacters).toList()),
                    history.rounds().stream().map(RoundLine::loss).toList()).setMarker(SeriesMarkers.NONE);
        }
        if (!history.epochs().isEmpty()) {
            var characters = millions(history.epochs().stream().map(MetricsLine::trainedCharacters).toList());
            chart.addSeries("training loss, mean of the epoch's rounds", characters,
                    history.epochs().stream().map(MetricsLine::trainLoss).toList());
            chart.addSeries("validation loss", characters,
                    history.epochs().stream().map(MetricsLine::validationLoss).toList());
        }
        return png("loss.png", "Training and validation loss",
                "Training loss of every averaging round (line), its mean over the epoch's rounds so far, and the validation"
                        + " loss at every evaluation (the end of each epoch, and within epochs with eval.everyCharacters),"
                        + " in nats per character, against millions of characters trained.", chart);
    }

    public static dev.lmpipe.report.Chart perplexity(RunHistory history) {
        XYChart chart = xy("Validation perplexity", "characters trained (millions)", "perplexity");
        chart.addSeries("validation perplexity", millions(history.epochs().stream().map(MetricsLine::trainedCharacters).toList()),
                history.epochs().stream().map(MetricsLine::validationPerplexity).toList());
        return png("perplexity.png", "Validation perplexity",
                "Validation perplexity (e to the nats per character) at every evaluation, against millions of characters"
                        + " trained.", chart);
    }

    public static dev.lmpipe.report.Chart throughput(RunHistory history) {
        XYChart chart = xy("Throughput", "seconds since training started", "characters per second");
        chart.addSeries("characters/s per round", history.rounds().stream().map(RoundLine::seconds).toList(),
                history.rounds().stream().map(RoundLine::charactersPerSecond).toList()).setMarker(SeriesMarkers.NONE);
        return png("throughput.png", "Training throughput",
                "Characters trained per second in every averaging round, over the wall-clock time of the training run.", chart);
    }

    /** Whether {@link #learningRate} has something to draw: rounds that recorded their rate. */
    public static boolean hasLearningRates(RunHistory history) {
        return history.rounds().stream().anyMatch(round -> round.learningRate() != null);
    }

    public static dev.lmpipe.report.Chart learningRate(RunHistory history) {
        XYChart chart = xy("Learning rate", "characters trained (millions)", "learning rate");
        var recorded = history.rounds().stream().filter(round -> round.learningRate() != null).toList();
        chart.addSeries("learning rate per round", millions(recorded.stream().map(RoundLine::trainedCharacters).toList()),
                recorded.stream().map(RoundLine::learningRate).toList()).setMarker(SeriesMarkers.NONE);
        return png("learning-rate.png", "Learning rate",
                "Adam's learning rate at the start of every averaging round (the schedule's warmup and decay), against"
                        + " millions of characters trained.", chart);
    }

    public static dev.lmpipe.report.Chart hardest(EvaluationReport report, int count) {
        CategoryChart chart = new CategoryChartBuilder().width(WIDTH).height(HEIGHT).title("Hardest characters")
                .xAxisTitle("character").yAxisTitle("mean nats").build();
        chart.getStyler().setLegendVisible(false);
        chart.getStyler().setXAxisLabelRotation(0);
        var top = report.characterLosses().stream().limit(count).toList();
        if (!top.isEmpty()) {
            chart.addSeries("mean loss", top.stream().map(c -> label(c.character())).toList(),
                    top.stream().map(EvaluationReport.CharacterLoss::meanNats).toList());
        }
        return png("hardest.png", "The " + count + " hardest characters",
                "Mean loss in nats of the " + count + " characters the model predicts worst on the evaluated split.", chart);
    }

    public static dev.lmpipe.report.Chart positions(EvaluationReport report) {
        XYChart chart = xy("Loss by position in the window", "position (characters of context)", "nats per character");
        var positions = new ArrayList<Integer>();
        var losses = new ArrayList<Double>();
        for (int i = 0; i < report.positionLosses().size(); i++) {
            if (!report.positionLosses().get(i).isNaN()) {
                positions.add(i + 1);
                losses.add(report.positionLosses().get(i));
            }
        }
        if (!positions.isEmpty()) {
            chart.addSeries("mean loss", positions, losses);
        }
        return png("position.png", "Loss by position in the window",
                "Mean loss at each position of the evaluation window: position 1 is predicted from one character"
                        + " of context, later positions from more.", chart);
    }

    /** Validation loss per epoch of several runs on one chart. */
    public static dev.lmpipe.report.Chart compare(Map<String, RunHistory> runs) {
        XYChart chart = xy("Validation loss", "characters trained (millions)", "nats per character");
        runs.forEach((name, history) -> {
            if (!history.epochs().isEmpty()) {
                chart.addSeries(name, millions(history.epochs().stream().map(MetricsLine::trainedCharacters).toList()),
                        history.epochs().stream().map(MetricsLine::validationLoss).toList());
            }
        });
        return png("validation.png", "Validation loss of every run",
                "Validation loss after every epoch of each run, against millions of characters trained.", chart);
    }

    /** Characters beyond the Basic Multilingual Plane (emoji) are named by code point: chart fonts lack them. */
    private static String label(String character) {
        return character.codePoints().anyMatch(Character::isSupplementaryCodePoint)
                ? character.codePoints().mapToObj(cp -> String.format("U+%X", cp)).reduce("", String::concat)
                : character;
    }

    private static XYChart xy(String title, String x, String y) {
        XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT).title(title).xAxisTitle(x).yAxisTitle(y).build();
        chart.getStyler().setXAxisDecimalPattern("#,##0.##");
        chart.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.InsideNE);
        return chart;
    }

    private static List<Double> millions(List<Long> values) {
        return values.stream().map(v -> v / 1e6).toList();
    }

    private static dev.lmpipe.report.Chart png(String file, String title, String description, Chart<?, ?> chart) {
        try {
            return new dev.lmpipe.report.Chart(file, title, description,
                    BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot draw " + file, e);
        }
    }
}
