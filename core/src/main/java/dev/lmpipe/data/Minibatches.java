package dev.lmpipe.data;

import dev.lmpipe.storage.Storage;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

import java.util.List;

/**
 * Turns windows of token ids into DL4J minibatches: features are the ids of positions {@code 0..T-1}, labels
 * the ids of positions {@code 1..T} (the next character), both as integer-valued floats of shape
 * {@code [batch, 1, T]} for {@code EmbeddingSequenceLayer} and sparse cross-entropy; no one-hot tensors.
 */
public final class Minibatches {
    private Minibatches() {
    }

    /** Builds a DataSet from windows that each hold {@code T + 1} token ids. */
    public static DataSet fromWindows(int[][] windows) {
        int batch = windows.length;
        int steps = windows[0].length - 1;
        float[] features = new float[batch * steps];
        float[] labels = new float[batch * steps];
        for (int b = 0; b < batch; b++) {
            int[] window = windows[b];
            for (int t = 0; t < steps; t++) {
                features[b * steps + t] = window[t];
                labels[b * steps + t] = window[t + 1];
            }
        }
        long[] shape = {batch, 1, steps};
        return new DataSet(Nd4j.create(features, shape, 'c'), Nd4j.create(labels, shape, 'c'));
    }

    /**
     * Reads a worker's share of a round at once, in the calling (Spark task) thread. Not lazily: DL4J's workers
     * consume minibatches through a prefetching thread (AsyncDataSetIterator), and an exception there, a damaged
     * shard or an unreadable file, leaves the worker waiting for ever instead of failing the task. A share is a
     * few minibatches of a few kilobytes each.
     */
    public static List<DataSet> readAll(Storage storage, String dataset, List<ShardInfo> shards,
                                        java.util.Iterator<MinibatchSpec> specs, int seqLen) {
        var minibatches = new java.util.ArrayList<DataSet>();
        specs.forEachRemaining(spec -> minibatches.add(read(storage, dataset, shards, spec, seqLen)));
        return minibatches;
    }

    /** Reads a planned minibatch's windows from the dataset's train shards, opening each shard once. */
    public static DataSet read(Storage storage, String dataset, List<ShardInfo> shards, MinibatchSpec spec, int seqLen) {
        int[][] windows = new int[spec.size()][];
        var byShard = new java.util.TreeMap<Integer, List<Integer>>();
        for (int i = 0; i < spec.size(); i++) {
            byShard.computeIfAbsent(spec.shards()[i], shard -> new java.util.ArrayList<>()).add(i);
        }
        byShard.forEach((shard, indices) -> {
            long[] starts = indices.stream().mapToLong(i -> spec.starts()[i]).toArray();
            int[][] read = Shards.readRanges(storage, dataset, shards.get(shard), starts, seqLen + 1);
            for (int k = 0; k < indices.size(); k++) {
                windows[indices.get(k)] = read[k];
            }
        });
        return fromWindows(windows);
    }
}
