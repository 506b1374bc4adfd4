package dev.lmpipe.data;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * One epoch of training, computed rather than stored: every shard is cut into windows of {@code seqLen + 1} tokens
 * (inputs and the next-token labels overlap by {@code seqLen}) starting at an offset that changes each epoch; the
 * windows of all shards are numbered in shard order and visited in the order of a seeded pseudo-random permutation
 * ({@link WindowPermutation}); consecutive groups of {@code batchSize} visited windows are the minibatches (a last,
 * incomplete one is dropped) and consecutive groups of minibatches the averaging rounds.
 *
 * <p>The plan holds one number per shard, never one per window, so the driver's memory does not grow with the
 * corpus; any minibatch or round is computed on demand, which is also what makes a resume in the middle of an
 * epoch exact. The same shards, seed and epoch always give the same plan.
 */
public final class WindowPlan {
    private final int seqLen;
    private final int batchSize;
    private final long offset;
    /** {@code firstWindow[s]}: number of the first window of shard {@code s}; the last entry is the total. */
    private final long[] firstWindow;
    private final WindowPermutation order;

    private WindowPlan(List<ShardInfo> shards, int seqLen, int batchSize, long seed, int epoch) {
        if (seqLen < 1 || batchSize < 1) {
            throw new IllegalArgumentException("seqLen and batchSize must be positive, got " + seqLen + ", " + batchSize);
        }
        this.seqLen = seqLen;
        this.batchSize = batchSize;
        var random = new Random(seed * 1_000_003L + epoch);
        this.offset = epoch == 0 ? 0 : random.nextInt(seqLen);
        this.firstWindow = new long[shards.size() + 1];
        for (int shard = 0; shard < shards.size(); shard++) {
            firstWindow[shard + 1] = firstWindow[shard] + windows(shards.get(shard).tokens());
        }
        this.order = new WindowPermutation(firstWindow[shards.size()], random.nextLong());
    }

    /** The plan of epoch {@code epoch} (0-based) of {@code shards}. */
    public static WindowPlan epoch(List<ShardInfo> shards, int seqLen, int batchSize, long seed, int epoch) {
        return new WindowPlan(shards, seqLen, batchSize, seed, epoch);
    }

    /** Windows of {@code seqLen + 1} tokens stepping by {@code seqLen} from the epoch's offset in a shard. */
    private long windows(long tokens) {
        return tokens < offset + seqLen + 1 ? 0 : (tokens - offset - seqLen - 1) / seqLen + 1;
    }

    /** Windows in the epoch, all shards together. */
    public long windows() {
        return firstWindow[firstWindow.length - 1];
    }

    /** Whole minibatches in the epoch. */
    public long minibatches() {
        return windows() / batchSize;
    }

    /** Averaging rounds of {@code perRound} minibatches in the epoch (the last may be short). */
    public long rounds(int perRound) {
        return (minibatches() + perRound - 1) / perRound;
    }

    /** Minibatch {@code index} (0-based) of the epoch. */
    public MinibatchSpec minibatch(long index) {
        if (index < 0 || index >= minibatches()) {
            throw new IndexOutOfBoundsException("minibatch " + index + " of " + minibatches());
        }
        int[] shards = new int[batchSize];
        long[] starts = new long[batchSize];
        for (int i = 0; i < batchSize; i++) {
            long window = order.at(index * batchSize + i);
            int shard = shardOf(window);
            shards[i] = shard;
            starts[i] = offset + (window - firstWindow[shard]) * seqLen;
        }
        return new MinibatchSpec(shards, starts);
    }

    /** Round {@code round} (0-based) of the epoch cut into rounds of {@code perRound} minibatches. */
    public List<MinibatchSpec> round(long round, int perRound) {
        long first = round * perRound;
        long end = Math.min(first + perRound, minibatches());
        if (round < 0 || first >= end) {
            throw new IndexOutOfBoundsException("round " + round + " of " + rounds(perRound));
        }
        var minibatches = new ArrayList<MinibatchSpec>((int) (end - first));
        for (long index = first; index < end; index++) {
            minibatches.add(minibatch(index));
        }
        return minibatches;
    }

    /** The shard that window number {@code window} belongs to: the last shard whose first window is at most it. */
    private int shardOf(long window) {
        int found = Arrays.binarySearch(firstWindow, window);
        if (found < 0) {
            return -found - 2;
        }
        // Shards with no window share their first window number with the next: take the last of equal entries.
        while (found + 1 < firstWindow.length - 1 && firstWindow[found + 1] == window) {
            found++;
        }
        return found;
    }
}
