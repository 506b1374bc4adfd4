package dev.lmpipe.spark;

import dev.lmpipe.LmpipeException;
import dev.lmpipe.data.Manifest;
import dev.lmpipe.data.VerifiedShards;
import dev.lmpipe.eval.EvaluateConfig;
import dev.lmpipe.eval.EvaluationReport;
import dev.lmpipe.eval.LossTotals;
import dev.lmpipe.generate.Comparison;
import dev.lmpipe.generate.Generator;
import dev.lmpipe.generate.UnknownCharacters;
import dev.lmpipe.report.RunHistory;
import dev.lmpipe.report.RunReport;
import dev.lmpipe.report.RunReportWriter;
import dev.lmpipe.storage.Storage;
import dev.lmpipe.train.Checkpoint;
import dev.lmpipe.train.CheckpointStore;
import org.apache.spark.api.java.JavaSparkContext;

import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.List;

/**
 * evaluate: checkpoint + dataset split → exact loss, perplexity, per-character and per-position loss →
 * report.json, report.md and report.html with charts of the run's history and samples.
 */
public final class EvaluateJob {
    /** DL4J's Spark training timeline, written by train beside the report directory. */
    static final String SPARK_STATISTICS = "spark-stats.html";

    private EvaluateJob() {
    }

    /**
     * A loss its caller has computed already: {@code totals} of checkpoint {@code checkpoint} on the split and sample
     * that the report is asked for (the train job's evaluation of its best checkpoint).
     */
    public record Evaluated(String checkpoint, LossTotals totals) {
    }

    public static RunReport run(JavaSparkContext sc, Storage storage, EvaluateConfig config, boolean overwrite,
                                PrintStream out) {
        return run(sc, storage, config, overwrite, out, null);
    }

    /** Evaluates and reports as {@link #run}, reusing {@code known} if it is the loss of the checkpoint to report. */
    public static RunReport run(JavaSparkContext sc, Storage storage, EvaluateConfig config, boolean overwrite,
                                PrintStream out, Evaluated known) {
        String path = CheckpointStore.resolve(storage, storage.qualify(config.checkpoint()), CheckpointStore.BEST);
        Checkpoint checkpoint = CheckpointStore.load(storage, path);
        String dataset = storage.qualify(config.dataset());
        Manifest manifest = Manifest.read(storage, dataset);
        if (!manifest.vocabulary().equals(checkpoint.vocabulary())) {
            throw new LmpipeException("checkpoint " + path + " was trained with another vocabulary ("
                    + checkpoint.vocabulary().size() + " ids) than dataset " + config.dataset() + " ("
                    + manifest.vocabulary().size() + " ids); evaluate it on the dataset it was trained on");
        }
        var shards = manifest.shards(config.split());
        if (shards.isEmpty()) {
            throw new LmpipeException("dataset " + config.dataset() + " has no " + config.split() + " split");
        }
        VerifiedShards.checkSizes(storage, dataset, shards);
        int seqLen = config.seqLen() > 0 ? config.seqLen() : checkpoint.state().config().seqLen();
        checkpoint.spec().checkSeqLen(seqLen);
        boolean reuse = known != null && known.checkpoint().equals(path);
        if (reuse) {
            out.println("evaluate: " + path + " was evaluated on this sample by training; its loss is reused");
        }
        LossTotals totals = reuse ? known.totals() : LossJob.loss(sc, storage, dataset, shards, checkpoint.network(),
                checkpoint.vocabulary().size(), seqLen, config.batchSize(), config.maxCharacters());
        var evaluation = EvaluationReport.of(totals, checkpoint.vocabulary(), manifest.charactersPerToken(config.split()),
                provenance(checkpoint, dataset, config, seqLen));
        var samples = samples(checkpoint, config);

        String run = runOf(path);
        boolean defaultOutput = config.output().isBlank();
        String output = defaultOutput ? Storage.child(run, "report") : config.output();
        try (var staged = storage.stage(output, overwrite || defaultOutput)) {
            String statistics = storage.exists(Storage.child(run, SPARK_STATISTICS)) && defaultOutput
                    ? "../" + SPARK_STATISTICS : null;
            var report = RunReportWriter.write(storage, staged, evaluation, RunHistory.read(storage, run), samples,
                    statistics, config.hardest());
            staged.commit();
            out.printf("evaluate: %s split, %,d characters (%,d %s tokens): %.4f nats/char, %.4f bits/char, perplexity %.3f%n",
                    config.split(), evaluation.characters(), evaluation.tokens(), evaluation.tokenizer(),
                    evaluation.natsPerCharacter(), evaluation.bitsPerCharacter(), evaluation.perplexity());
            out.println("evaluate: report at " + Storage.child(staged.target(), "report.html"));
            return report;
        }
    }

    private static LinkedHashMap<String, Object> provenance(Checkpoint checkpoint, String dataset, EvaluateConfig config,
                                                           int seqLen) {
        var provenance = new LinkedHashMap<String, Object>();
        provenance.put("checkpoint", checkpoint.path());
        provenance.put("epoch", checkpoint.state().epoch());
        provenance.put("dataset", dataset);
        provenance.put("split", config.split().name());
        provenance.put("seqLen", seqLen);
        // 0: every character of the split; else the fixed sample of about that many that training evaluates.
        provenance.put("maxCharacters", config.maxCharacters());
        provenance.put("model", checkpoint.state().config().model());
        provenance.put("versions", checkpoint.state().versions());
        return provenance;
    }

    /** Samples at the standard temperatures 0.5, 1.0 and 1.5 from the configured prompt. */
    private static List<RunReport.Sample> samples(Checkpoint checkpoint, EvaluateConfig config) {
        if (config.sampleLength() == 0) {
            return List.of();
        }
        var generator = new Generator(checkpoint.network(), checkpoint.vocabulary(), checkpoint.spec().window());
        int[] prompt = generator.encodePrompt(config.samplePrompt(), UnknownCharacters.unk);
        return Comparison.temperatureSamples(generator, prompt, config.sampleLength(), config.sampleSeed()).stream()
                .map(row -> new RunReport.Sample(row.strategy(), config.samplePrompt(), row.text())).toList();
    }

    /** The run directory of a checkpoint at {@code run/checkpoints/epoch-N}. */
    static String runOf(String checkpoint) {
        return Storage.parent(Storage.parent(checkpoint));
    }
}
