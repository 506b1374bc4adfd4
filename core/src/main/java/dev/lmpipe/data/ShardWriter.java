package dev.lmpipe.data;

import dev.lmpipe.storage.Storage;
import dev.lmpipe.text.Utf8;
import dev.lmpipe.text.Vocabulary;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.zip.CRC32C;

/**
 * Tokenize's last pass, one task per shard: reads the shard's slices from the part files, turns them into token
 * ids, and streams the shard file with its checksum, holding one segment at a time in memory.
 */
public final class ShardWriter {
    private ShardWriter() {
    }

    /** A written shard and how many of its tokens are {@code <unk>}. */
    public record Written(ShardInfo shard, long unknownTokens) implements Serializable {
    }

    /**
     * Writes {@code shard} into {@code dataset}. Slices index characters of text parts when {@code fromText}
     * (the character tokenizer: one token per character, encoded here), else tokens of token parts.
     */
    public static Written write(Storage storage, String dataset, ShardPlan.Shard shard, Vocabulary vocabulary, boolean fromText) {
        String path = Storage.child(dataset, shard.file());
        long tokens = shard.tokens();
        var crc = new CRC32C();
        long unknown = 0;
        try (OutputStream out = new BufferedOutputStream(storage.create(path), 1 << 20)) {
            var header = ByteBuffer.allocate(Shards.HEADER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
            header.put(Shards.MAGIC).putShort((short) Shards.VERSION).putShort((short) Shards.TOKEN_BYTES).putLong(tokens);
            write(out, crc, header.array());
            for (ShardPlan.Slice slice : shard.slices()) {
                int[] ids = fromText ? encodeText(storage, dataset, slice, vocabulary) : readTokens(storage, dataset, slice);
                var bytes = ByteBuffer.allocate(ids.length * Shards.TOKEN_BYTES).order(ByteOrder.LITTLE_ENDIAN);
                for (int id : ids) {
                    unknown += id == Vocabulary.UNK ? 1 : 0;
                    bytes.putShort((short) id);
                }
                write(out, crc, bytes.array());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write shard " + path, e);
        }
        long size = Shards.HEADER_BYTES + Shards.TOKEN_BYTES * tokens;
        return new Written(new ShardInfo(shard.file(), shard.split(), tokens, size, String.format("%08x", crc.getValue())), unknown);
    }

    private static void write(OutputStream out, CRC32C crc, byte[] bytes) throws IOException {
        crc.update(bytes);
        out.write(bytes);
    }

    private static int[] encodeText(Storage storage, String dataset, ShardPlan.Slice slice, Vocabulary vocabulary) {
        Segment segment = slice.segment();
        byte[] text = new byte[(int) segment.length()];
        storage.readFully(Parts.text(dataset, segment.task(), segment.split()), new long[]{segment.start()}, new byte[][]{text});
        int[] codePoints = Utf8.decode(text, 0, text.length);
        return vocabulary.encode(Arrays.copyOfRange(codePoints, (int) slice.skip(), (int) (slice.skip() + slice.take())));
    }

    private static int[] readTokens(Storage storage, String dataset, ShardPlan.Slice slice) {
        Segment segment = slice.segment();
        byte[] bytes = new byte[(int) slice.take() * Shards.TOKEN_BYTES];
        long position = (segment.start() + slice.skip()) * Shards.TOKEN_BYTES;
        storage.readFully(Parts.tokens(dataset, segment.task(), segment.split()), new long[]{position}, new byte[][]{bytes});
        var buffer = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        int[] ids = new int[(int) slice.take()];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = buffer.getShort() & 0xFFFF;
        }
        return ids;
    }
}
