package dev.lmpipe.spark;

import dev.lmpipe.data.ShardInfo;
import dev.lmpipe.data.Shards;
import dev.lmpipe.eval.Evaluator;
import dev.lmpipe.eval.LossTotals;
import dev.lmpipe.model.Networks;
import dev.lmpipe.storage.Storage;
import dev.lmpipe.train.CheckpointStore;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * Exact held-out loss on the executors: each shard is cut into slices of whole evaluation windows, every
 * slice is one task, and the per-slice {@link LossTotals} are summed. Because slices start on window
 * boundaries, the result equals evaluating each shard in one piece.
 */
public final class LossJob {
    /** Windows per slice: enough work per task to amortise loading the model. */
    private static final int WINDOWS_PER_SLICE = 256;

    private LossJob() {
    }

    /** Predictions {@code (from, to]} of one shard: tokens {@code from..to} are read. */
    record Slice(int shard, long from, long to) implements Serializable {
    }

    public static LossTotals loss(JavaSparkContext sc, Storage storage, String dataset, List<ShardInfo> shards,
                                  MultiLayerNetwork network, int vocabulary, int seqLen, int batchSize) {
        var slices = new ArrayList<Slice>();
        long sliceTokens = (long) seqLen * WINDOWS_PER_SLICE;
        for (int s = 0; s < shards.size(); s++) {
            long last = shards.get(s).tokens() - 1;
            for (long from = 0; from < last; from += sliceTokens) {
                slices.add(new Slice(s, from, Math.min(from + sliceTokens, last)));
            }
        }
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
                                       java.util.Iterator<Slice> slices, int seqLen, int batchSize, int vocabulary) {
        MultiLayerNetwork network = CheckpointStore.restore(model, false);
        // Every task slot evaluates slices of its own: one thread each, whatever threads the training used.
        Networks.useThreads(network, 1);
        var totals = new LossTotals(vocabulary);
        while (slices.hasNext()) {
            Slice slice = slices.next();
            int[] tokens = Shards.readRange(storage, dataset, shards.get(slice.shard()), slice.from(),
                    (int) (slice.to() - slice.from() + 1));
            Evaluator.addLoss(network, tokens, seqLen, batchSize, totals);
        }
        return totals;
    }

    /** Verifies every shard's size and checksum on the executors before a job trusts them. */
    public static void verify(JavaSparkContext sc, Storage storage, String dataset, List<ShardInfo> shards) {
        if (!shards.isEmpty()) {
            sc.parallelize(shards, shards.size()).foreach(shard -> Shards.read(storage, dataset, shard));
        }
    }

}
