package dev.lmpipe.data;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * The evaluation slices of a split: every shard cut into slices of {@code sliceTokens} predictions (the last of a
 * shard shorter), numbered in shard order. A bounded evaluation takes slices evenly spaced over that numbering, so
 * that its sample covers the whole split (every part of the corpus, not its first files) and is the same at every
 * evaluation, whatever the epoch or seed. Holds one number per shard; only the chosen slices are made.
 */
public final class EvaluationSample {
    /** Predictions {@code (from, to]} of one shard: tokens {@code from..to} are read. */
    public record Slice(int shard, long from, long to) implements Serializable {
        /** Characters predicted in the slice. */
        public long predictions() {
            return to - from;
        }
    }

    private final List<ShardInfo> shards;
    private final long sliceTokens;
    /** {@code firstSlice[s]}: number of the first slice of shard {@code s}; the last entry is the total. */
    private final long[] firstSlice;
    private final long predictions;

    private EvaluationSample(List<ShardInfo> shards, long sliceTokens) {
        if (sliceTokens < 1) {
            throw new IllegalArgumentException("sliceTokens must be positive, got " + sliceTokens);
        }
        this.shards = shards;
        this.sliceTokens = sliceTokens;
        this.firstSlice = new long[shards.size() + 1];
        long predictions = 0;
        for (int s = 0; s < shards.size(); s++) {
            long shardPredictions = Math.max(0, shards.get(s).tokens() - 1);
            predictions += shardPredictions;
            firstSlice[s + 1] = firstSlice[s] + (shardPredictions + sliceTokens - 1) / sliceTokens;
        }
        this.predictions = predictions;
    }

    public static EvaluationSample of(List<ShardInfo> shards, long sliceTokens) {
        return new EvaluationSample(shards, sliceTokens);
    }

    /** Characters predicted over the whole split (every token but each shard's first). */
    public long predictions() {
        return predictions;
    }

    /**
     * Slices holding about {@code maxCharacters} predictions, evenly spaced over the split; all of them when
     * {@code maxCharacters} is 0 or the split is no larger.
     */
    public List<Slice> slices(long maxCharacters) {
        long total = firstSlice[firstSlice.length - 1];
        long wanted = maxCharacters <= 0 || maxCharacters >= predictions ? total
                : Math.min(total, (maxCharacters + sliceTokens - 1) / sliceTokens);
        var slices = new ArrayList<Slice>((int) Math.min(wanted, Integer.MAX_VALUE - 8));
        for (long k = 0; k < wanted; k++) {
            // Slice floor(k · total / wanted): distinct for distinct k since wanted <= total, first one is slice 0.
            long number = wanted == total ? k : (long) Math.floor((double) k * total / wanted);
            slices.add(slice(number));
        }
        return slices;
    }

    private Slice slice(long number) {
        int shard = java.util.Arrays.binarySearch(firstSlice, number);
        shard = shard >= 0 ? shard : -shard - 2;
        // Shards without a slice share their first number with the next one: move to the one that holds it.
        while (firstSlice[shard + 1] <= number) {
            shard++;
        }
        long from = (number - firstSlice[shard]) * sliceTokens;
        long last = shards.get(shard).tokens() - 1;
        return new Slice(shard, from, Math.min(from + sliceTokens, last));
    }
}
