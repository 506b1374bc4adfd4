package dev.lmpipe.spark;

import dev.lmpipe.data.ShardInfo;
import dev.lmpipe.data.EvaluationSample;
import dev.lmpipe.data.Shards;
import dev.lmpipe.eval.Evaluator;
import dev.lmpipe.eval.LossTotals;
import dev.lmpipe.model.Networks;
import dev.lmpipe.storage.Storage;
import dev.lmpipe.train.CheckpointStore;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;

import java.util.List;

/**
 * Held-out loss on the executors: each shard is cut into slices of whole evaluation windows, every slice is one
 * task's unit of work, and the per-slice {@link LossTotals} are summed. Because slices start on window boundaries,
 * evaluating every slice equals evaluating each shard in one piece. A bounded evaluation takes a fixed sample of
 * slices evenly spaced over the whole split ({@link EvaluationSample}): the same characters every time.
 */
public final class LossJob {
    /** Windows per slice: enough work per task to amortise loading the model. */
    static final int WINDOWS_PER_SLICE = 256;

    private LossJob() {
    }

    /** The loss over every character of {@code shards}. */
    public static LossTotals loss(JavaSparkContext sc, Storage storage, String dataset, List<ShardInfo> shards,
                                  MultiLayerNetwork network, int vocabulary, int seqLen, int batchSize) {
        return loss(sc, storage, dataset, shards, network, vocabulary, seqLen, batchSize, 0);
    }

    /** The loss over a fixed sample of about {@code maxCharacters} characters of {@code shards} (0: all of them). */
    public static LossTotals loss(JavaSparkContext sc, Storage storage, String dataset, List<ShardInfo> shards,
                                  MultiLayerNetwork network, int vocabulary, int seqLen, int batchSize,
                                  long maxCharacters) {
        List<EvaluationSample.Slice> slices = EvaluationSample.of(shards, (long) seqLen * WINDOWS_PER_SLICE)
                .slices(maxCharacters);
        if (slices.isEmpty()) {
            return new LossTotals(vocabulary);
        }
        Broadcast<byte[]> model = sc.broadcast(CheckpointStore.serialize(network, false));
        try {
            return sc.parallelize(slices, Math.min(slices.size(), 4 * sc.defaultParallelism()))
                    .mapPartitions(part -> List.of(evaluate(storage, dataset, shards, model.value(), part,
                            seqLen, batchSize, vocabulary)).iterator())
                    .reduce(LossTotals::merge);
        } finally {
            model.destroy();
        }
    }

    private static LossTotals evaluate(Storage storage, String dataset, List<ShardInfo> shards, byte[] model,
                                       java.util.Iterator<EvaluationSample.Slice> slices, int seqLen, int batchSize, int vocabulary) {
        MultiLayerNetwork network = CheckpointStore.restore(model, false);
        // Every task slot evaluates slices of its own: one thread each, whatever threads the training used.
        Networks.useThreads(network, 1);
        var totals = new LossTotals(vocabulary);
        while (slices.hasNext()) {
            EvaluationSample.Slice slice = slices.next();
            int[] tokens = Shards.readRange(storage, dataset, shards.get(slice.shard()), slice.from(),
                    (int) (slice.to() - slice.from() + 1));
            Evaluator.addLoss(network, tokens, seqLen, batchSize, totals);
        }
        return totals;
    }


}
