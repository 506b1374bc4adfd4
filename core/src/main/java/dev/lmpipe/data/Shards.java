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
 * The shard file format, version 1: a 16-byte header, then the token ids.
 *
 * <pre>
 *   bytes 0..3    magic "LMPS"
 *   bytes 4..5    format version, uint16 little-endian (1)
 *   bytes 6..7    bytes per token id, uint16 little-endian (2: ids are uint16, so at most 65,536 ids)
 *   bytes 8..15   number of token ids, int64 little-endian
 *   bytes 16..    token ids, uint16 little-endian each
 * </pre>
 *
 * The manifest records each shard's size and CRC-32C; readers verify both before trusting a shard.
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
        return decode(path, bytes);
    }

    /** Fails with a message naming the shard if its bytes are not what the manifest promised. */
    public static void verify(String path, byte[] bytes, ShardInfo expected) {
        if (bytes.length != expected.bytes()) {
            throw new LmpipeException("shard " + path + " is corrupt: " + bytes.length + " bytes, manifest says "
                    + expected.bytes() + "; re-run tokenize");
        }
        String actual = crc32c(bytes);
        if (!actual.equals(expected.crc32c())) {
            throw new LmpipeException("shard " + path + " is corrupt: checksum " + actual + ", manifest says "
                    + expected.crc32c() + "; re-run tokenize");
        }
    }

    static int[] decode(String path, byte[] bytes) {
        var buffer = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        byte[] magic = new byte[4];
        buffer.get(magic);
        int version = buffer.getShort() & 0xFFFF;
        int width = buffer.getShort() & 0xFFFF;
        long count = buffer.getLong();
        if (!java.util.Arrays.equals(magic, MAGIC) || version != VERSION || width != TOKEN_BYTES
                || count != (bytes.length - HEADER_BYTES) / TOKEN_BYTES) {
            throw new LmpipeException("shard " + path + " has an unknown header (version " + version + ", "
                    + width + " bytes per token); it was not written by this version of lmpipe's tokenize");
        }
        int[] ids = new int[(int) count];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = buffer.getShort() & 0xFFFF;
        }
        return ids;
    }

    /** Reads {@code length} token ids starting at token {@code offset}, without reading the rest of the shard. */
    public static int[] readRange(Storage storage, String path, long offset, int length) {
        return readRanges(storage, path, new long[]{offset}, length)[0];
    }

    /** Reads {@code length} token ids at each of {@code offsets}, opening the shard once. */
    public static int[][] readRanges(Storage storage, String path, long[] offsets, int length) {
        long[] positions = new long[offsets.length];
        byte[][] buffers = new byte[offsets.length][length * TOKEN_BYTES];
        for (int i = 0; i < offsets.length; i++) {
            positions[i] = HEADER_BYTES + offsets[i] * TOKEN_BYTES;
        }
        storage.readFully(path, positions, buffers);
        int[][] ranges = new int[offsets.length][length];
        for (int r = 0; r < offsets.length; r++) {
            var buffer = ByteBuffer.wrap(buffers[r]).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < length; i++) {
                ranges[r][i] = buffer.getShort() & 0xFFFF;
            }
        }
        return ranges;
    }

    public static String crc32c(byte[] bytes) {
        var crc = new CRC32C();
        crc.update(bytes);
        return String.format("%08x", crc.getValue());
    }
}
