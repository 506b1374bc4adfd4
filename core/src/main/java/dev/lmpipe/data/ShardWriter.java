package dev.lmpipe.data;

import dev.lmpipe.storage.Storage;
import dev.lmpipe.text.Vocabulary;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.zip.CRC32C;

/**
 * Tokenize's last pass for BPE, one task per shard: copies the shard's slices of the token parts into the shard
 * file, with its checksum, holding one slice at a time in memory. (The character tokenizer's shards are written
 * while reading: {@link CharShards}.)
 */
public final class ShardWriter {
    private ShardWriter() {
    }

    /** A written shard and how many of its tokens are {@code <unk>}. */
    public record Written(ShardInfo shard, long unknownTokens) implements Serializable {
    }

    /** Writes {@code shard}, whose slices index tokens of token parts, into {@code dataset}. */
    public static Written write(Storage storage, String dataset, ShardPlan.Shard shard) {
        String path = Storage.child(dataset, shard.file());
        long tokens = shard.tokens();
        var crc = new CRC32C();
        long unknown = 0;
        try (OutputStream out = new BufferedOutputStream(storage.create(path), 1 << 20)) {
            var header = ByteBuffer.allocate(Shards.HEADER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
            header.put(Shards.MAGIC).putShort((short) Shards.VERSION).putShort((short) Shards.TOKEN_BYTES).putLong(tokens);
            crc.update(header.array());
            out.write(header.array());
            byte[] ids = new byte[0];
            for (ShardPlan.Slice slice : shard.slices()) {
                int idBytes = (int) slice.take() * Shards.TOKEN_BYTES;
                ids = idBytes <= ids.length ? ids : new byte[idBytes];
                Segment segment = slice.segment();
                storage.readFully(Parts.tokens(dataset, segment.task(), segment.split()),
                        (segment.start() + slice.skip()) * Shards.TOKEN_BYTES, ids, idBytes);
                for (int i = 0; i < idBytes; i += 2) {
                    unknown += ids[i] == Vocabulary.UNK && ids[i + 1] == 0 ? 1 : 0;
                }
                crc.update(ids, 0, idBytes);
                out.write(ids, 0, idBytes);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write shard " + path, e);
        }
        long size = Shards.HEADER_BYTES + Shards.TOKEN_BYTES * tokens;
        return new Written(new ShardInfo(shard.file(), shard.split(), tokens, size, Shards.hex(crc)), unknown);
    }

}
