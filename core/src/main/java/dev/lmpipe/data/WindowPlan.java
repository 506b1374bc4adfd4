package dev.lmpipe.data;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Plans one epoch of training: every shard is cut into windows of {@code seqLen + 1} tokens (inputs and the
 * next-token labels overlap by {@code seqLen}) starting at an offset that changes each epoch, the windows of
 * all shards are shuffled together, and grouped into minibatches of {@code batchSize} (a last, incomplete
 * minibatch is dropped). The same seed and epoch always give the same plan.
 */
public final class WindowPlan {
    private WindowPlan() {
    }

    public static List<MinibatchSpec> epoch(List<ShardInfo> shards, int seqLen, int batchSize, long seed, int epoch) {
        var random = new Random(seed * 1_000_003L + epoch);
        int offset = epoch == 0 ? 0 : random.nextInt(seqLen);
        var windows = new ArrayList<long[]>();
        for (int shard = 0; shard < shards.size(); shard++) {
            long tokens = shards.get(shard).tokens();
            for (long start = offset; start + seqLen + 1 <= tokens; start += seqLen) {
                windows.add(new long[]{shard, start});
            }
        }
        java.util.Collections.shuffle(windows, random);
        var minibatches = new ArrayList<MinibatchSpec>();
        for (int first = 0; first + batchSize <= windows.size(); first += batchSize) {
            int[] shardIds = new int[batchSize];
            long[] starts = new long[batchSize];
            for (int i = 0; i < batchSize; i++) {
                long[] window = windows.get(first + i);
                shardIds[i] = (int) window[0];
                starts[i] = window[1];
            }
            minibatches.add(new MinibatchSpec(shardIds, starts));
        }
        return minibatches;
    }

    /** Cuts an epoch's minibatches into averaging rounds of {@code perRound} minibatches (the last may be short). */
    public static List<List<MinibatchSpec>> rounds(List<MinibatchSpec> minibatches, int perRound) {
        var rounds = new ArrayList<List<MinibatchSpec>>();
        for (int first = 0; first < minibatches.size(); first += perRound) {
            rounds.add(List.copyOf(minibatches.subList(first, Math.min(first + perRound, minibatches.size()))));
        }
        return rounds;
    }
}
