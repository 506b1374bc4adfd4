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
            crc.update(header.array());
            out.write(header.array());
            byte[] text = new byte[0];
            byte[] ids = new byte[0];
            for (ShardPlan.Slice slice : shard.slices()) {
                int idBytes = (int) slice.take() * Shards.TOKEN_BYTES;
                ids = idBytes <= ids.length ? ids : new byte[idBytes];
                Segment segment = slice.segment();
                if (fromText) {
                    int textBytes = (int) segment.length();
                    text = textBytes <= text.length ? text : new byte[textBytes];
                    storage.readFully(Parts.text(dataset, segment.task(), segment.split()), segment.start(), text, textBytes);
                    unknown += vocabulary.encodeCleanUtf8(text, textBytes, slice.skip(), (int) slice.take(), ids);
                } else {
                    storage.readFully(Parts.tokens(dataset, segment.task(), segment.split()),
                            (segment.start() + slice.skip()) * Shards.TOKEN_BYTES, ids, idBytes);
                    for (int i = 0; i < idBytes; i += 2) {
                        unknown += ids[i] == Vocabulary.UNK && ids[i + 1] == 0 ? 1 : 0;
                    }
                }
                crc.update(ids, 0, idBytes);
                out.write(ids, 0, idBytes);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write shard " + path, e);
        }
        long size = Shards.HEADER_BYTES + Shards.TOKEN_BYTES * tokens;
        return new Written(new ShardInfo(shard.file(), shard.split(), tokens, size, String.format("%08x", crc.getValue())), unknown);
    }

}
