package dev.lmpipe.data;

import java.io.Serializable;
import java.util.Comparator;

/** Sort key of an encoded block on its way to a shard: shard first, then corpus order. */
public record BlockKey(int shard, int source, int block) implements Comparable<BlockKey>, Serializable {
    private static final Comparator<BlockKey> ORDER = Comparator.comparingInt(BlockKey::shard)
            .thenComparingInt(BlockKey::source).thenComparingInt(BlockKey::block);

    @Override
    public int compareTo(BlockKey other) {
        return ORDER.compare(this, other);
    }
}
