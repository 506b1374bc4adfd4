package dev.lmpipe.text;

import org.apache.hadoop.fs.FSError;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.function.LongUnaryOperator;

/**
 * Reads one byte range of a source as pieces of at most {@code maxPiece} bytes, each within one document, in
 * bounded memory whatever the file (a one-line file of a gigabyte included).
 *
 * <p>Ranges share a file the way Hadoop's line reader does: a range owns the units (lines, or records when
 * documents are records) that start inside {@code (start, end]} (the first range: {@code [0, end]}), and reads
 * an owned unit to its end even past {@code end}. So every unit is read by exactly one range, and the pieces
 * of all ranges in order are the file, whatever the range size.
 *
 * <p>With {@code documents = blocks}, a piece belongs to the block of its line's first byte, or, for the pieces of
 * a line cut because it is longer than a piece, to the block of the piece's first byte: with pieces no longer
 * than a block, text without line ends still spreads over many blocks.
 *
 * <p>Pieces end at a line end when a line fits. A line longer than {@code maxPiece} is cut, preferably between
 * two ASCII characters (no UTF-8 sequence, CR LF pair or combining mark is split there), else before a byte that
 * starts a UTF-8 sequence.
 */
public final class PieceReader implements Iterator<PieceReader.Piece>, AutoCloseable {
    /** Bytes {@code [0, length)} of {@code bytes}, found at byte {@code offset} of the source, in {@code document}. */
    public record Piece(int source, long offset, long document, byte[] bytes, int length) {
    }

    /**
     * The source's stream failed after {@link #offset} bytes: where the range's stream began plus what it gave (for a
     * plain file a byte offset in the file; for gzip, uncompressed bytes).
     */
    public static final class ReadFailure extends UncheckedIOException {
        private final long offset;

        ReadFailure(long offset, IOException cause) {
            super("the stream failed after byte " + offset, cause);
            this.offset = offset;
        }

        public long offset() {
            return offset;
        }
    }

    /** Bytes asked of the stream at a time, at least: pieces of a block (2 KB) must not cost a read each. */
    private static final int READ_BYTES = 1 << 16;
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long NEWLINES = 0x0A0A0A0A0A0A0A0AL;
    private static final long LOW_BITS = 0x0101010101010101L;
    private static final long HIGH_BITS = 0x8080808080808080L;

    /** How long the search for a cut between two ASCII characters looks back, in bytes. */
    private static final int ASCII_CUT_LOOKBACK = 4096;

    private final InputStream in;
    private final int source;
    private final long end;
    private final Documents documents;
    private final long blockBytes;
    private final int maxPiece;
    private final byte[] buffer;
    private int head;
    private int tail;
    private long position;
    private boolean endOfStream;
    private boolean atLineStart = true;
    private boolean previousLineBlank = true;
    private long document;
    private boolean finished;
    private LongUnaryOperator blockDocument;

    /**
     * @param in    the source's bytes, positioned at {@code max(0, start - 2)} (two bytes of look-back tell whether
     *              a line just before the range was blank)
     * @param start the range start; 0 for a whole file
     * @param end   the range end (units starting after it belong to the next range); {@code Long.MAX_VALUE} for all
     */
    public PieceReader(InputStream in, int source, long start, long end, Documents documents, long blockBytes, int maxPiece) {
        if (maxPiece < 16) {
            throw new IllegalArgumentException("maxPiece must be at least 16, got " + maxPiece);
        }
        this.in = in;
        this.source = source;
        this.end = end;
        this.documents = documents;
        this.blockBytes = blockBytes;
        this.maxPiece = maxPiece;
        this.buffer = new byte[Math.max(2 * maxPiece + 1, READ_BYTES)];
        this.blockDocument = position -> position / blockBytes;
        this.position = Math.max(0, start - 2);
        if (start > 0) {
            skipToFirstOwnedUnit(start);
        }
    }

    /**
     * With {@code documents = blocks}, takes the document of a byte at a position of the stream from
     * {@code document} instead of {@code position / blockBytes}: a split bzip2 file's documents are its blocks.
     */
    public PieceReader blocksBy(LongUnaryOperator document) {
        this.blockDocument = document;
        return this;
    }

    /** Moves to the first unit starting after {@code start}: the rest of a line, or record, belongs to the range before. */
    private void skipToFirstOwnedUnit(long start) {
        int previous = '\n';
        int beforePrevious = '\n';
        while (true) {
            if (!ensure(1)) {
                finished = true;
                return;
            }
            int b = buffer[head++] & 0xFF;
            long at = position++;
            if (b == '\n' && at >= start) {
                boolean blank = previous == '\n' || (previous == '\r' && beforePrevious == '\n');
                if (documents != Documents.records || blank) {
                    previousLineBlank = blank;
                    return;
                }
            }
            beforePrevious = previous;
            previous = b;
        }
    }

    @Override
    public boolean hasNext() {
        if (finished) {
            return false;
        }
        if (!ensure(1)) {
            finished = true;
            return false;
        }
        if (atLineStart && !beginsOwnedLine()) {
            finished = true;
            return false;
        }
        return true;
    }

    /** At a line start: whether this range reads it, and which document it belongs to. */
    private boolean beginsOwnedLine() {
        boolean unitStart = documents != Documents.records || previousLineBlank;
        if (unitStart && position > end) {
            return false;
        }
        if (documents == Documents.blocks) {
            document = blockDocument.applyAsLong(position);
        } else if (documents == Documents.records && previousLineBlank) {
            document = position;
        }
        return true;
    }

    @Override
    public Piece next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        byte[] out = new byte[maxPiece];
        int length = 0;
        long offset = position;
        if (!atLineStart && documents == Documents.blocks) {
            document = blockDocument.applyAsLong(position); // a line longer than a block spans blocks, piece by piece
        }
        long pieceDocument = document;
        while (ensure(Math.min(maxPiece - length + 1, buffer.length))) {
            if (atLineStart && length > 0) {
                if (!beginsOwnedLine()) {
                    finished = true;
                    break;
                }
                if (document != pieceDocument) {
                    break;
                }
            }
            int room = maxPiece - length;
            int limit = Math.min(tail, head + room);
            int newline = indexOfNewline(head, limit);
            if (newline >= 0) {
                int lineLength = newline - head;
                boolean blank = lineLength == 0 || (lineLength == 1 && buffer[head] == '\r');
                if (!atLineStart) {
                    blank = false;
                }
                length = take(out, length, newline + 1 - head);
                previousLineBlank = blank;
                atLineStart = true;
            } else if (endOfStream && tail - head <= room) {
                length = take(out, length, tail - head);
                atLineStart = false;
                previousLineBlank = false;
            } else if (length > 0 && atLineStart) {
                break; // the next line does not fit: it starts the next piece
            } else {
                length = take(out, length, safeCut(head + room) - head);
                atLineStart = false;
                previousLineBlank = false;
                break;
            }
        }
        return new Piece(source, offset, pieceDocument, out, length);
    }

    /** The first '\n' in {@code buffer[from, to)}, or -1; eight bytes at a time. */
    private int indexOfNewline(int from, int to) {
        int i = from;
        for (; i + Long.BYTES <= to; i += Long.BYTES) {
            long x = (long) LONGS.get(buffer, i) ^ NEWLINES; // a zero byte where the newline is
            long found = (x - LOW_BITS) & ~x & HIGH_BITS;
            if (found != 0) {
                return i + (Long.numberOfTrailingZeros(found) >>> 3);
            }
        }
        for (; i < to; i++) {
            if (buffer[i] == '\n') {
                return i;
            }
        }
        return -1;
    }

    /** A cut at or before {@code limit} (an index into the buffer, with {@code buffer[limit]} readable). */
    private int safeCut(int limit) {
        for (int c = limit; c > head + 1 && c > limit - ASCII_CUT_LOOKBACK; c--) {
            if (buffer[c - 1] >= 0 && buffer[c] >= 0 && buffer[c - 1] != '\r') {
                return c;
            }
        }
        for (int c = limit; c > head + 1; c--) {
            boolean startsSequence = (buffer[c] & 0xC0) != 0x80;
            if (startsSequence && !(buffer[c - 1] == '\r' && buffer[c] == '\n')) {
                return c;
            }
        }
        return limit;
    }

    private int take(byte[] out, int length, int count) {
        System.arraycopy(buffer, head, out, length, count);
        head += count;
        position += count;
        return length + count;
    }

    /** Makes at least {@code count} bytes available unless the stream ends first; false if none are left. */
    private boolean ensure(int count) {
        if (tail - head < count && !endOfStream) {
            System.arraycopy(buffer, head, buffer, 0, tail - head);
            tail -= head;
            head = 0;
            try {
                while (tail < buffer.length) {
                    int n = in.read(buffer, tail, buffer.length - tail);
                    if (n < 0) {
                        endOfStream = true;
                        break;
                    }
                    tail += n;
                }
            } catch (IOException e) {
                throw new ReadFailure(position + tail, e);
            } catch (FSError e) {
                throw new ReadFailure(position + tail, Unreadable.cause(e));
            }
        }
        return tail > head;
    }

    @Override
    public void close() {
        try {
            in.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
