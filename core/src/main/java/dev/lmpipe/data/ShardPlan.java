package dev.lmpipe.data;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.function.ToLongFunction;

/**
 * How a split's segments, in corpus order, are cut into shards of {@code shardTokens} tokens: the output's
 * partitioning, independent of how the input was read. A shard may end inside a segment; the next one starts
 * where it ended.
 */
public final class ShardPlan {
    private ShardPlan() {
    }

    /** Tokens {@code [skip, skip + take)} of a segment. */
    public record Slice(Segment segment, long skip, long take) implements Serializable {
    }

    /** One shard to write: its file name, split, and slices in order. */
    public record Shard(String file, Split split, List<Slice> slices) implements Serializable {
        public long tokens() {
            return slices.stream().mapToLong(Slice::take).sum();
        }
    }

    /**
     * @param segments segments of every split, in corpus order
     * @param tokens   tokens of a segment
     */
    public static List<Shard> plan(List<Segment> segments, long shardTokens, ToLongFunction<Segment> tokens) {
        var shards = new ArrayList<Shard>();
        for (Split split : Split.values()) {
            var slices = new ArrayList<Slice>();
            long filled = 0;
            int index = 0;
            for (Segment segment : segments) {
                if (segment.split() != split) {
                    continue;
                }
                long total = tokens.applyAsLong(segment);
                for (long skip = 0; skip < total; ) {
                    long take = Math.min(total - skip, shardTokens - filled);
                    slices.add(new Slice(segment, skip, take));
                    skip += take;
                    filled += take;
                    if (filled == shardTokens) {
                        shards.add(new Shard(file(split, index++), split, List.copyOf(slices)));
                        slices.clear();
                        filled = 0;
                    }
                }
            }
            if (!slices.isEmpty()) {
                shards.add(new Shard(file(split, index), split, List.copyOf(slices)));
            }
        }
        return shards;
    }

    static String file(Split split, int index) {
        return String.format("%s-%05d.shard", split, index);
    }
}
