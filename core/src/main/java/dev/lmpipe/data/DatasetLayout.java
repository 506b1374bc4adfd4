package dev.lmpipe.data;

import dev.lmpipe.LmpipeException;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * How a corpus is cut into blocks, which split each block goes to, and which shard holds it. Computed on the
 * driver from the code point count of every source (counts only, never the text), then shipped to executors.
 *
 * <p>Each source is cut into blocks of {@code blockChars} code points (the last one shorter). Blocks are
 * ranked by a hash of (seed, source, block) and the first {@code validationFraction} of the ranking goes to
 * validation, the next {@code testFraction} to test, the rest to train: the same seed and corpus always give
 * the same split, and the fractions hold exactly up to one block. Each split's blocks, in corpus order, are
 * then packed into shards of at most {@code shardTokens} tokens (at least one block per shard).
 */
public final class DatasetLayout implements Serializable {
    private static final long serialVersionUID = 1L;

    /** One block of a source: code points {@code [start, start + length)}. */
    public record Block(int source, int index, long start, int length, Split split, int shard) implements Serializable {
    }

    private final Block[][] blocksBySource;
    private final Split[] shardSplits;

    private DatasetLayout(Block[][] blocksBySource, Split[] shardSplits) {
        this.blocksBySource = blocksBySource;
        this.shardSplits = shardSplits;
    }

    public static DatasetLayout plan(long[] sourceLengths, int blockChars, double validationFraction,
                                     double testFraction, long seed, long shardTokens) {
        var blocks = new ArrayList<long[]>(); // {source, index, start, length}
        for (int source = 0; source < sourceLengths.length; source++) {
            for (long start = 0, index = 0; start < sourceLengths[source]; start += blockChars, index++) {
                blocks.add(new long[]{source, index, start, Math.min(blockChars, sourceLengths[source] - start)});
            }
        }
        int n = blocks.size();
        int validation = count(n, validationFraction);
        int test = count(n, testFraction);
        if (n - validation - test < 1 || (validationFraction > 0 && validation < 1)) {
            throw new LmpipeException("the corpus has only " + n + " block(s) of " + blockChars
                    + " characters, too few to split into train/validation/test; lower blockChars or add text");
        }
        Integer[] ranking = new Integer[n];
        for (int i = 0; i < n; i++) {
            ranking[i] = i;
        }
        Arrays.sort(ranking, Comparator.comparingLong(i -> mix(seed, blocks.get(i)[0], blocks.get(i)[1])));
        Split[] splitOf = new Split[n];
        for (int rank = 0; rank < n; rank++) {
            splitOf[ranking[rank]] = rank < validation ? Split.validation : rank < validation + test ? Split.test : Split.train;
        }
        return pack(blocks, splitOf, sourceLengths.length, shardTokens);
    }

    private static DatasetLayout pack(List<long[]> blocks, Split[] splitOf, int sources, long shardTokens) {
        var shardSplits = new ArrayList<Split>();
        var shardOf = new int[blocks.size()];
        for (Split split : Split.values()) {
            long filled = 0;
            int shard = -1;
            for (int i = 0; i < blocks.size(); i++) {
                if (splitOf[i] != split) {
                    continue;
                }
                long length = blocks.get(i)[3];
                if (shard < 0 || filled + length > shardTokens) {
                    shard = shardSplits.size();
                    shardSplits.add(split);
                    filled = 0;
                }
                shardOf[i] = shard;
                filled += length;
            }
        }
        var perSource = new ArrayList<List<Block>>();
        for (int s = 0; s < sources; s++) {
            perSource.add(new ArrayList<>());
        }
        for (int i = 0; i < blocks.size(); i++) {
            long[] b = blocks.get(i);
            perSource.get((int) b[0]).add(new Block((int) b[0], (int) b[1], b[2], (int) b[3], splitOf[i], shardOf[i]));
        }
        Block[][] bySource = new Block[sources][];
        for (int s = 0; s < sources; s++) {
            bySource[s] = perSource.get(s).toArray(Block[]::new);
        }
        return new DatasetLayout(bySource, shardSplits.toArray(Split[]::new));
    }

    private static int count(int blocks, double fraction) {
        int count = (int) Math.round(blocks * fraction);
        return fraction > 0 ? Math.max(1, count) : 0;
    }

    /** SplitMix64 of (seed, source, block): a stable, well-mixed ranking key. */
    static long mix(long seed, long source, long block) {
        long z = seed * 0x9E3779B97F4A7C15L + source * 0xBF58476D1CE4E5B9L + block * 0x94D049BB133111EBL;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    public Block[] blocks(int source) {
        return blocksBySource[source].clone();
    }

    public int shardCount() {
        return shardSplits.length;
    }

    public Split shardSplit(int shard) {
        return shardSplits[shard];
    }

    /** File name of a shard: its split and its number within the split, e.g. {@code train-00003.shard}. */
    public String shardFile(int shard) {
        int within = 0;
        for (int i = 0; i < shard; i++) {
            if (shardSplits[i] == shardSplits[shard]) {
                within++;
            }
        }
        return String.format("%s-%05d.shard", shardSplits[shard], within);
    }

    public Map<Split, Long> splitTokens() {
        var totals = new EnumMap<Split, Long>(Split.class);
        for (Split split : Split.values()) {
            totals.put(split, 0L);
        }
        for (Block[] blocks : blocksBySource) {
            for (Block block : blocks) {
                totals.merge(block.split(), (long) block.length(), Long::sum);
            }
        }
        return totals;
    }
}
