package dev.lmpipe.spark;

import dev.lmpipe.LmpipeException;
import dev.lmpipe.config.Json;
import dev.lmpipe.data.Manifest;
import dev.lmpipe.eval.EvaluateConfig;
import dev.lmpipe.eval.EvaluationReport;
import dev.lmpipe.eval.LossTotals;
import dev.lmpipe.storage.Storage;
import dev.lmpipe.train.Checkpoint;
import dev.lmpipe.train.CheckpointStore;
import org.apache.spark.api.java.JavaSparkContext;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;

/** evaluate: checkpoint + dataset split → exact loss, perplexity and per-character table → report.json, report.md. */
public final class EvaluateJob {
    private EvaluateJob() {
    }

    public static EvaluationReport run(JavaSparkContext sc, Storage storage, EvaluateConfig config, boolean overwrite,
                                       PrintStream out) {
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
        LossJob.verify(sc, storage, dataset, shards);
        int seqLen = config.seqLen() > 0 ? config.seqLen() : checkpoint.state().config().seqLen();
        LossTotals totals = LossJob.loss(sc, storage, dataset, shards, checkpoint.network(),
                checkpoint.vocabulary().size(), seqLen, config.batchSize());

        var provenance = new LinkedHashMap<String, Object>();
        provenance.put("checkpoint", path);
        provenance.put("epoch", checkpoint.state().epoch());
        provenance.put("dataset", dataset);
        provenance.put("split", config.split().name());
        provenance.put("seqLen", seqLen);
        provenance.put("model", checkpoint.state().config().model());
        provenance.put("versions", checkpoint.state().versions());
        var report = EvaluationReport.of(totals, checkpoint.vocabulary(), provenance);

        boolean defaultOutput = config.output().isBlank();
        String output = defaultOutput ? Storage.child(runOf(path), "report") : config.output();
        try (var staged = storage.stage(output, overwrite || defaultOutput)) {
            storage.writeAll(staged.file("report.json"), Json.write(report));
            storage.writeAll(staged.file("report.md"), report.markdown(config.hardest()).getBytes(StandardCharsets.UTF_8));
            staged.commit();
            out.printf("evaluate: %s split, %,d characters: %.4f nats/char, %.4f bits/char, perplexity %.3f%n",
                    config.split(), totals.characters(), report.natsPerCharacter(), report.bitsPerCharacter(), report.perplexity());
            out.println("evaluate: report at " + Storage.child(staged.target(), "report.md"));
        }
        return report;
    }

    /** The run directory of a checkpoint at {@code run/checkpoints/epoch-N}. */
    static String runOf(String checkpoint) {
        return Storage.parent(Storage.parent(checkpoint));
    }
}
