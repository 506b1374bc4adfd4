package dev.lmpipe.generate;

import java.util.ArrayList;
import java.util.List;

/**
 * {@code generate --compare}: the strategies of the seed tutorial from one prompt, side by side, with
 * statistics of what each produced.
 */
public final class Comparison {
    private Comparison() {
    }

    /** One strategy's label, text and statistics. */
    public record Row(String strategy, String text, TextStatistics statistics) {
    }

    /** Temperature 0.5, 1.0 and 1.5, top-k 10, top-p 0.9, beam 5; plus greedy as the reference point. */
    public static List<GenerateConfig> standard(GenerateConfig base) {
        return List.of(
                base.with(Strategy.greedy, Sampling.GREEDY, base.beam()),
                base.with(Strategy.sample, Sampling.temperature(0.5), base.beam()),
                base.with(Strategy.sample, Sampling.temperature(1.0), base.beam()),
                base.with(Strategy.sample, Sampling.temperature(1.5), base.beam()),
                base.with(Strategy.sample, new Sampling(1.0, 10, 1.0), base.beam()),
                base.with(Strategy.sample, new Sampling(1.0, 0, 0.9), base.beam()),
                base.with(Strategy.beam, Sampling.GREEDY, 5));
    }

    public static List<Row> run(Generator generator, int[] prompt, GenerateConfig base) {
        var rows = new ArrayList<Row>();
        for (GenerateConfig config : standard(base)) {
            var generation = config.strategy().generate(generator, prompt, config).get(0);
            String label = config.strategy() == Strategy.beam ? "beam " + config.beam() : config.sampling().label();
            rows.add(new Row(label, generation.text(), TextStatistics.of(generation)));
        }
        return rows;
    }

    /** The standard temperatures of a report's samples. */
    public static final List<Double> TEMPERATURES = List.of(0.5, 1.0, 1.5);

    /** One sample per standard temperature, each with the same seed. */
    public static List<Row> temperatureSamples(Generator generator, int[] prompt, int length, long seed) {
        var rows = new ArrayList<Row>();
        for (double temperature : TEMPERATURES) {
            var sampling = Sampling.temperature(temperature);
            var generation = generator.sample(prompt, length, new Sampler(sampling, seed), "");
            rows.add(new Row(sampling.label(), generation.text(), TextStatistics.of(generation)));
        }
        return rows;
    }

    /** The statistics as a Markdown table. */
    public static String table(List<Row> rows) {
        var table = new StringBuilder("| strategy | characters | distinct | entropy (bits/char) | bigram diversity | mean log-prob (nats/char) |\n"
                + "|---|---|---|---|---|---|\n");
        for (Row row : rows) {
            var s = row.statistics();
            table.append(String.format("| %s | %d | %d | %.3f | %.3f | %.3f |%n", row.strategy(), s.characters(),
                    s.distinctCharacters(), s.entropy(), s.bigramDiversity(), s.meanLogProbability()));
        }
        return table.toString();
    }
}
