package dev.lmpipe.text;

import org.apache.hadoop.io.compress.SplittableCompressionCodec;
import org.apache.hadoop.io.compress.bzip2.CBZip2InputStream;

import java.io.BufferedInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.util.Arrays;

/**
 * The text that one byte range of a bzip2 file owns, decompressed: how tokenize splits a large {@code .bz2} file
 * between tasks without reading it whole.
 *
 * <p>bzip2 compresses blocks (up to 900 KB of text each) that start at markers findable from any byte. A range
 * {@code [start, end)} owns the blocks whose marker starts in it (at the byte that holds the marker's first bit,
 * as Hadoop's reader reports it; a reader starting at {@code start} finds exactly those). Lines belong to the block they start in: a range other than the first drops the text of its first
 * owned block up to and including the first line end (that line started in the block before; unless that block
 * is the file's first), and every range
 * goes on past its last owned block up to and including the first line end. So each line is read by exactly one
 * range, whatever the range size, and the ranges' texts in order are the file's text.
 *
 * <p>Markers are found by Hadoop's {@link CBZip2InputStream} in its by-block mode, the reader Hadoop's own
 * splittable {@code BZip2Codec} uses.
 *
 * <p>{@link #blockAt(long)} gives, for a byte of this stream's output, the marker position of the block it came
 * from: with {@code documents = blocks}, a bzip2 block is the document, the same whatever the range size.
 *
 * <p>A stream that does not decode, or ends within a block, fails with {@link Corrupt}, saying how and in which block;
 * a failure of the file system itself comes as it is. Hadoop's reader skips whatever is not a block marker, so garbage
 * right after the header would read as an empty file: the first range checks that a block (or the end of the stream)
 * follows the header. A file cut between two blocks decodes without complaint: {@link #endsWithEndOfStream} tells.
 */
public final class Bzip2Range extends InputStream {
    /** Where the first block of a bzip2 file starts: after its header, "BZh" and the block size digit. */
    static final long FIRST_BLOCK = 4;
    /** The 48-bit magic numbers that start a block and end a stream. */
    private static final long BLOCK_MAGIC = 0x314159265359L;
    private static final long END_OF_STREAM_MAGIC = 0x177245385090L;
    /** How many bytes at the end of a file hold its end-of-stream marker: 48 bits, a 32-bit CRC, at most 7 bits of padding. */
    public static final int TRAILER_BYTES = 11;

    /** A bzip2 stream that is truncated or does not decode: the message says which, and in which block. */
    public static final class Corrupt extends IOException {
        public Corrupt(String message) {
            super(message);
        }
    }

    private final FileBytes file;
    private final CBZip2InputStream in;
    private final long opened;
    private final long start;
    private final long end;
    private final byte[] chunk = new byte[1 << 16];
    private int chunkHead;
    private int chunkTail;
    /** Marker position of the block being decompressed. */
    private long block;
    private boolean started;
    private boolean dropping;
    private boolean completing;
    private boolean done;
    private long emitted;
    private long[] boundaryOffsets = new long[16];
    private long[] boundaryBlocks = new long[16];
    private int boundaries;

    /**
     * @param file  the file's bytes, positioned at {@code start}
     * @param start the range start
     * @param end   the range end
     */
    public Bzip2Range(InputStream file, long start, long end) throws IOException {
        this.opened = start;
        this.start = start;
        this.end = end;
        this.file = new FileBytes(file);
        InputStream blocks = start == 0 ? checkedHeader(this.file) : this.file;
        try {
            // The reader decodes the range's first block here already.
            this.in = new CBZip2InputStream(blocks, SplittableCompressionCodec.READ_MODE.BYBLOCK);
        } catch (IOException | RuntimeException e) {
            throw judged(e, start == 0 ? String.format("in the block at byte %,d", FIRST_BLOCK)
                    : String.format("in the first block after byte %,d", start));
        }
        this.block = markerPosition();
        onBlockStart();
    }

    /** The file, once its first bytes show the header and then a block, or the end of an empty stream. */
    private static InputStream checkedHeader(InputStream file) throws IOException {
        var buffered = new BufferedInputStream(file, 1 << 16);
        buffered.mark(10);
        byte[] head = buffered.readNBytes(10);
        buffered.reset();
        if (head.length < 3 || !Arrays.equals(head, 0, 3, new byte[]{'B', 'Z', 'h'}, 0, 3)) {
            throw new Corrupt("not a bzip2 file (no \"BZh\" header)");
        }
        if (head.length < 10) {
            throw new Corrupt("truncated bzip2 stream: the file ends within its header");
        }
        long magic = new BigInteger(1, Arrays.copyOfRange(head, 4, 10)).longValue();
        if (head[3] < '1' || head[3] > '9' || (magic != BLOCK_MAGIC && magic != END_OF_STREAM_MAGIC)) {
            throw new Corrupt("corrupt bzip2 stream: no block after the header");
        }
        return buffered;
    }

    /**
     * Whether the last {@link #TRAILER_BYTES} (or fewer) bytes of a file end a bzip2 stream: the end-of-stream magic,
     * the stream's CRC, then padding to the byte. A file cut between two blocks, or within its trailer, does not.
     */
    public static boolean endsWithEndOfStream(byte[] trailer) {
        var bits = new BigInteger(1, trailer);
        for (int padding = 0; padding < 8 && 80 + padding <= 8 * trailer.length; padding++) {
            if ((bits.shiftRight(32 + padding).longValue() & 0xFFFF_FFFF_FFFFL) == END_OF_STREAM_MAGIC) {
                return true;
            }
        }
        return false;
    }

    /** What a failure of the reader means: the file system's own failure as it is, else a corrupt stream. */
    private IOException judged(Exception failure, String where) {
        if (file.failed && failure instanceof IOException io) {
            return io;
        }
        if (!(failure instanceof IOException)) {
            return new Corrupt("corrupt bzip2 stream: undecodable data " + where); // Hadoop's reader indexes past its tables
        }
        String message = String.valueOf(failure.getMessage());
        // Hadoop's reader says so when the file ends within a block.
        return new Corrupt(message.equals("unexpected end of stream") ? "truncated bzip2 stream: " + message + " " + where
                : "corrupt bzip2 stream: " + message + " " + where);
    }

    private long markerPosition() {
        return opened + in.getProcessedByteCount();
    }

    private boolean owned(long marker) {
        return marker >= start && marker < end;
    }

    /** The marker position of the block that the output byte at {@code offset} came from. */
    public long blockAt(long offset) {
        int i = Arrays.binarySearch(boundaryOffsets, 0, boundaries, offset);
        int index = i >= 0 ? i : -i - 2;
        return index < 0 ? (boundaries > 0 ? boundaryBlocks[0] : 0) : boundaryBlocks[index];
    }

    private void boundary(long marker) {
        if (boundaries > 0 && boundaryOffsets[boundaries - 1] == emitted) {
            boundaryBlocks[boundaries - 1] = marker;
            return;
        }
        if (boundaries == boundaryOffsets.length) {
            boundaryOffsets = Arrays.copyOf(boundaryOffsets, 2 * boundaries);
            boundaryBlocks = Arrays.copyOf(boundaryBlocks, 2 * boundaries);
        }
        boundaryOffsets[boundaries] = emitted;
        boundaryBlocks[boundaries++] = marker;
    }

    /** Decompresses the next chunk of the current block into {@code chunk}; false at the end of the file. */
    private boolean decompress() throws IOException {
        while (true) {
            int n;
            try {
                n = in.read(chunk, 0, chunk.length);
            } catch (IOException | RuntimeException e) {
                // Not the block field: the reader decodes a whole block before it says that the last one ended.
                throw judged(e, String.format("in the block at byte %,d", markerPosition()));
            }
            if (n > 0) {
                chunkHead = 0;
                chunkTail = n;
                return true;
            }
            if (n == -1) {
                return false;
            }
            // end of a block (-2): the reader has moved to the next marker
            block = markerPosition();
            if (n != -2) {
                throw new IOException("unexpected bzip2 read result " + n);
            }
            onBlockStart();
            if (done) {
                return false;
            }
        }
    }

    /** At the start of block {@link #block}: decides what this range does with it. */
    private void onBlockStart() {
        if (owned(block)) {
            if (!started) {
                dropping = block > FIRST_BLOCK; // the file's first block has no line before it to finish
            }
            started = true;
            if (!dropping) {
                boundary(block);
            }
        } else if (!started || dropping) {
            done = true; // past the range's blocks before its first line end: it owns no line
        } else {
            completing = true; // the rest of the last line, from the blocks after ours
            boundary(block);
        }
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xFF;
    }

    @Override
    public int read(byte[] out, int offset, int length) throws IOException {
        if (length == 0) {
            return 0;
        }
        while (!done) {
            if (chunkHead == chunkTail && !decompress()) {
                done = true;
                break;
            }
            if (dropping) {
                int newline = indexOf(chunk, chunkHead, chunkTail);
                if (newline < 0) {
                    chunkHead = chunkTail;
                    continue;
                }
                chunkHead = newline + 1;
                dropping = false; // in an owned block: a block past ours ends the range while dropping
                boundary(block);
                continue;
            }
            int count = Math.min(length, chunkTail - chunkHead);
            if (completing) {
                int newline = indexOf(chunk, chunkHead, chunkHead + count);
                if (newline >= 0) {
                    count = newline + 1 - chunkHead;
                    done = true;
                }
            }
            System.arraycopy(chunk, chunkHead, out, offset, count);
            chunkHead += count;
            emitted += count;
            return count;
        }
        return -1;
    }

    private static int indexOf(byte[] bytes, int from, int to) {
        for (int i = from; i < to; i++) {
            if (bytes[i] == '\n') {
                return i;
            }
        }
        return -1;
    }

    @Override
    public void close() throws IOException {
        in.close();
    }

    /** A file's bytes that remember whether reading them failed: a failure of the file system is no corrupt stream. */
    private static final class FileBytes extends FilterInputStream {
        private boolean failed;

        FileBytes(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            try {
                return super.read();
            } catch (IOException e) {
                failed = true;
                throw e;
            }
        }

        @Override
        public int read(byte[] bytes, int offset, int length) throws IOException {
            try {
                return super.read(bytes, offset, length);
            } catch (IOException e) {
                failed = true;
                throw e;
            }
        }
    }
}
