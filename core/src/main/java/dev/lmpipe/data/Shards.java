package dev.lmpipe.data;

import dev.lmpipe.LmpipeException;
import dev.lmpipe.storage.Storage;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.zip.CRC32C;

/**
 * The shard file formats: a 16-byte header, then one number per token.
 *
 * <pre>
 *   bytes 0..3    magic "LMPS"
 *   bytes 4..5    format version, uint16 little-endian (1 or 2)
 *   bytes 6..7    bytes per token, uint16 little-endian (version 1: 2; version 2: 1 or 2)
 *   bytes 8..15   version 1: number of tokens, int64 little-endian; version 2: 0 (the file is streamed: its
 *                 size less the header, over the width)
 *   bytes 16..    version 1: token ids, uint16 little-endian each; version 2: codes of the shard's table, one
 *                 byte or uint16 little-endian each, which the manifest's entry ({@link ShardInfo#codes}) maps to ids
 * </pre>
 *
 * Version 2 is what the character tokenizer writes ({@link CharShards}); version 1 the BPE tokenizer and datasets
 * written before version 2 existed. The manifest records each shard's size and CRC-32C; readers verify both
 * before trusting a shard: a whole read at once, a read of ranges the first time this JVM reads the shard.
 */
public final class Shards {
    public static final int VERSION = 1;
    public static final int HEADER_BYTES = 16;
    public static final int TOKEN_BYTES = 2;
    public static final int MAX_VOCABULARY = 1 << 16;
    static final byte[] MAGIC = {'L', 'M', 'P', 'S'};

    private Shards() {
    }

    /** Encodes token ids as a complete shard file. */
    public static byte[] encode(int[] ids) {
        var buffer = ByteBuffer.allocate(HEADER_BYTES + TOKEN_BYTES * ids.length).order(ByteOrder.LITTLE_ENDIAN);
        buffer.put(MAGIC).putShort((short) VERSION).putShort((short) TOKEN_BYTES).putLong(ids.length);
        for (int id : ids) {
            if (id < 0 || id >= MAX_VOCABULARY) {
                throw new IllegalArgumentException("token id " + id + " does not fit a uint16 shard");
            }
            buffer.putShort((short) id);
        }
        return buffer.array();
    }

    /** Writes a shard and returns what the manifest records about it. */
    public static ShardInfo write(Storage storage, String directory, String file, Split split, int[] ids) {
        byte[] bytes = encode(ids);
        try (OutputStream out = storage.create(Storage.child(directory, file))) {
            out.write(bytes);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write shard " + file, e);
        }
        return new ShardInfo(file, split, ids.length, bytes.length, crc32c(bytes));
    }

    /** Reads a whole shard, verifying size, checksum and header against the manifest's entry. */
    public static int[] read(Storage storage, String directory, ShardInfo expected) {
        String path = Storage.child(directory, expected.file());
        byte[] bytes = storage.readAll(path);
        verify(path, bytes, expected);
        return decode(path, bytes, expected.codes());
    }

    /** Fails with a message naming the shard if its bytes are not what the manifest promised. */
    public static void verify(String path, byte[] bytes, ShardInfo expected) {
        check(path, bytes.length, crc32c(bytes), expected);
    }

    /** Fails naming the shard if its size or CRC-32C differ from its manifest entry's. */
    static void check(String path, long bytes, String crc32c, ShardInfo expected) {
        if (bytes != expected.bytes()) {
            throw new LmpipeException("shard " + path + " is corrupt: " + bytes + " bytes, manifest says "
                    + expected.bytes() + "; re-run tokenize");
        }
        if (!crc32c.equals(expected.crc32c())) {
            throw new LmpipeException("shard " + path + " is corrupt: checksum " + crc32c + ", manifest says "
                    + expected.crc32c() + "; re-run tokenize");
        }
    }

    static int[] decode(String path, byte[] bytes, int[] codes) {
        var buffer = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        byte[] magic = new byte[4];
        buffer.get(magic);
        int version = buffer.getShort() & 0xFFFF;
        int width = buffer.getShort() & 0xFFFF;
        long count = buffer.getLong();
        boolean known = java.util.Arrays.equals(magic, MAGIC) && (version == VERSION
                ? width == TOKEN_BYTES && count == (bytes.length - HEADER_BYTES) / TOKEN_BYTES
                : version == CharShards.VERSION && (width == 1 || width == 2) && count == 0);
        if (!known) {
            throw new LmpipeException("shard " + path + " has an unknown header (version " + version + ", "
                    + width + " bytes per token); it was not written by this version of lmpipe's tokenize");
        }
        int[] ids = new int[(bytes.length - HEADER_BYTES) / width];
        decode(path, bytes, HEADER_BYTES, ids, version == VERSION ? null : codes, width);
        return ids;
    }

    /** Turns {@code ids.length} tokens of {@code width} bytes from {@code bytes[from]} on into ids, through {@code codes} if given. */
    private static void decode(String path, byte[] bytes, int from, int[] ids, int[] codes, int width) {
        if (codes == null) {
            for (int i = 0, k = from; i < ids.length; i++, k += 2) {
                ids[i] = (bytes[k] & 0xFF) | (bytes[k + 1] & 0xFF) << 8;
            }
            return;
        }
        int[] table = CharShards.checkedCodes(path, codes, width);
        try {
            if (width == 1) {
                for (int i = 0, k = from; i < ids.length; i++, k++) {
                    ids[i] = table[bytes[k] & 0xFF];
                }
            } else {
                for (int i = 0, k = from; i < ids.length; i++, k += 2) {
                    ids[i] = table[(bytes[k] & 0xFF) | (bytes[k + 1] & 0xFF) << 8];
                }
            }
        } catch (ArrayIndexOutOfBoundsException e) {
            throw new LmpipeException("shard " + path + " holds a code its manifest entry has no id for; re-run tokenize");
        }
    }

    /** Reads {@code length} token ids starting at token {@code offset}, without reading the rest of the shard. */
    public static int[] readRange(Storage storage, String directory, ShardInfo shard, long offset, int length) {
        return readRanges(storage, directory, shard, new long[]{offset}, length)[0];
    }

    /**
     * Reads {@code length} token ids at each of {@code offsets}, opening the shard once; the first read of a shard in
     * this JVM verifies it whole ({@link VerifiedShards}).
     */
    public static int[][] readRanges(Storage storage, String directory, ShardInfo shard, long[] offsets, int length) {
        VerifiedShards.ensure(storage, directory, shard);
        String path = Storage.child(directory, shard.file());
        int width = shard.width();
        long[] positions = new long[offsets.length];
        byte[][] buffers = new byte[offsets.length][length * width];
        for (int i = 0; i < offsets.length; i++) {
            positions[i] = HEADER_BYTES + offsets[i] * width;
        }
        storage.readFully(path, positions, buffers);
        int[][] ranges = new int[offsets.length][length];
        for (int r = 0; r < offsets.length; r++) {
            decode(path, buffers[r], 0, ranges[r], shard.codes(), width);
        }
        return ranges;
    }

    public static String crc32c(byte[] bytes) {
        var crc = new CRC32C();
        crc.update(bytes);
        return hex(crc);
    }

    /** A CRC-32C as the manifest writes it: eight hex digits. */
    static String hex(CRC32C crc) {
        return String.format("%08x", crc.getValue());
    }
}
