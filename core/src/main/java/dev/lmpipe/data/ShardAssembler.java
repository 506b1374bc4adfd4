package dev.lmpipe.data;

import dev.lmpipe.storage.Storage;
import dev.lmpipe.text.Vocabulary;

import java.util.Arrays;
import java.util.Iterator;
import java.util.Map;

/**
 * Encodes a source's blocks, and writes each shard from its blocks in corpus order. The two halves of
 * tokenize's second pass, on either side of Spark's shuffle.
 */
public final class ShardAssembler {
    private ShardAssembler() {
    }

    /** A written shard and how many of its tokens are {@code <unk>}. */
    public record Written(ShardInfo shard, long unknownTokens) implements java.io.Serializable {
    }

    /** Token ids of every block of one source, keyed for the shuffle to its shard. */
    public static Map<BlockKey, int[]> encodeBlocks(int source, int[] codePoints, DatasetLayout layout, Vocabulary vocabulary) {
        var encoded = new java.util.LinkedHashMap<BlockKey, int[]>();
        for (DatasetLayout.Block block : layout.blocks(source)) {
            int from = (int) block.start();
            int[] ids = vocabulary.encode(Arrays.copyOfRange(codePoints, from, from + block.length()));
            encoded.put(new BlockKey(block.shard(), source, block.index()), ids);
        }
        return encoded;
    }

    /** Concatenates blocks (already in corpus order) and writes them as one shard. */
    public static Written write(Storage storage, String directory, DatasetLayout layout, int shard, Iterator<int[]> blocks) {
        int[] all = new int[0];
        int length = 0;
        long unknown = 0;
        while (blocks.hasNext()) {
            int[] block = blocks.next();
            if (length + block.length > all.length) {
                all = Arrays.copyOf(all, Math.max(length + block.length, all.length * 2));
            }
            System.arraycopy(block, 0, all, length, block.length);
            length += block.length;
            for (int id : block) {
                if (id == Vocabulary.UNK) {
                    unknown++;
                }
            }
        }
        ShardInfo info = Shards.write(storage, directory, layout.shardFile(shard), layout.shardSplit(shard),
                Arrays.copyOf(all, length));
        return new Written(info, unknown);
    }
}
