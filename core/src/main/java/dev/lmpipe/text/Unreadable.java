package dev.lmpipe.text;

import dev.lmpipe.LmpipeException;
import org.apache.hadoop.fs.FSError;

import java.io.EOFException;
import java.io.IOException;
import java.util.zip.ZipException;

/**
 * An input left unread, and why, in words for the tokenize summary and for the error under {@code corrupt = fail}.
 * The reason says where a read stopped: after how many uncompressed bytes for gzip (which cannot be read from the
 * middle), in which block for bzip2 (a range of a split file knows only its own blocks), at which byte for a plain file.
 *
 * @param path   the qualified path, as the file system lists it
 * @param reason what is wrong with it, on one line
 */
public record Unreadable(String path, String reason) {

    /** A source whose opening failed: its gzip or bzip2 header, or the file system's refusal to open it. */
    public static Unreadable opening(Source source, IOException failure) {
        if (failure instanceof Bzip2Range.Corrupt) {
            return new Unreadable(source.path(), failure.getMessage());
        }
        if (source.gzip() && failure instanceof ZipException) {
            return new Unreadable(source.path(), "not a gzip file (" + detail(failure) + ")");
        }
        if (source.gzip() && failure instanceof EOFException) {
            return new Unreadable(source.path(), "truncated gzip stream: "
                    + (source.length() == 0 ? "the file is empty" : "the file ends within the gzip header"));
        }
        return new Unreadable(source.path(), "cannot open: " + detail(failure));
    }

    /**
     * A source whose reading failed after {@code offset} bytes of the stream: the source's bytes from where the read
     * began for a plain file (so a byte offset in the file), the uncompressed bytes for gzip.
     */
    public static Unreadable reading(Source source, IOException failure, long offset) {
        if (failure instanceof Bzip2Range.Corrupt) {
            return new Unreadable(source.path(), failure.getMessage());
        }
        String after = String.format(" after %,d uncompressed bytes", offset);
        if (source.gzip() && failure instanceof EOFException) {
            // The JDK's EOFException has no message when the stream ends within the trailer.
            String message = failure.getMessage() == null ? "unexpected end of file" : detail(failure);
            return new Unreadable(source.path(), "truncated gzip stream: " + message + after);
        }
        if (source.gzip() && failure instanceof ZipException) {
            return new Unreadable(source.path(), "corrupt gzip stream: " + detail(failure) + after);
        }
        if (source.compressed()) {
            // bzip2 names no offset: a range's uncompressed bytes count from the range's first block, not the file's.
            return new Unreadable(source.path(), "read error: " + detail(failure) + (source.gzip() ? after : ""));
        }
        return new Unreadable(source.path(), String.format("read error at byte %,d: %s", offset, detail(failure)));
    }

    /** Hadoop's local file system reports a failed read as an {@link FSError}, an Error around the IOException. */
    public static IOException cause(FSError error) {
        return error.getCause() instanceof IOException io ? io : new IOException(error.getMessage(), error);
    }

    /** The error that stops tokenize under {@code corrupt = fail}. */
    public LmpipeException failure() {
        return new LmpipeException("unreadable input " + path + ": " + reason
                + "; fix or remove it, or set corrupt = skip to leave it out");
    }

    /** An exception's message on one line: the summary and the error are one line per input. */
    static String detail(Exception failure) {
        String message = failure.getMessage();
        return message == null || message.isBlank() ? "no detail given" : message.replaceAll("\\s*[\\r\\n]+\\s*", " ");
    }
}
