package dev.lmpipe.text;

import java.io.Serializable;

/**
 * What cleaning saw in one file (or the part of it one task read): the counts that decide whether the file is
 * text, and those the tokenize summary reports, and whether the reading failed. Offsets are byte offsets in the
 * file, -1 when none.
 */
public final class FileStats implements Serializable {
    private static final long serialVersionUID = 1L;

    long bytes;
    long characters;
    long decoded;
    long invalidBytes;
    long firstInvalid = -1;
    long nulBytes;
    long firstNul = -1;
    long controlCharacters;
    /** Why the reading stopped short ({@link Unreadable#reason}), or null. */
    private String failure;
    /** Where the read that failed began: of the parts of a file, the first to fail names the file's failure. */
    private long failedRead = -1;

    public long bytes() {
        return bytes;
    }

    /** Characters kept after cleaning. */
    public long characters() {
        return characters;
    }

    public long invalidBytes() {
        return invalidBytes;
    }

    public long firstInvalid() {
        return firstInvalid;
    }

    public long nulBytes() {
        return nulBytes;
    }

    public long controlCharacters() {
        return controlCharacters;
    }

    /** Why the file could not be read to its end, or null. */
    public String failure() {
        return failure;
    }

    /** Records that the read beginning at byte {@code readStart} of the file stopped short, and why. */
    public void failed(String reason, long readStart) {
        if (failure == null || readStart < failedRead) {
            failure = reason;
            failedRead = readStart;
        }
    }

    void invalid(long offset) {
        invalidBytes++;
        firstInvalid = first(firstInvalid, offset);
    }

    void nul(long offset) {
        nulBytes++;
        firstNul = first(firstNul, offset);
    }

    private static long first(long current, long offset) {
        return current < 0 ? offset : Math.min(current, offset);
    }

    /** Adds the counts of another part of the same file. */
    public FileStats merge(FileStats other) {
        bytes += other.bytes;
        characters += other.characters;
        decoded += other.decoded;
        invalidBytes += other.invalidBytes;
        firstInvalid = other.firstInvalid < 0 ? firstInvalid : first(firstInvalid, other.firstInvalid);
        nulBytes += other.nulBytes;
        firstNul = other.firstNul < 0 ? firstNul : first(firstNul, other.firstNul);
        controlCharacters += other.controlCharacters;
        if (other.failure != null) {
            failed(other.failure, other.failedRead);
        }
        return this;
    }

    /**
     * Why the file must be left out, or null to keep it. A file that could not be read to its end is left out
     * whatever the {@code corrupt} setting (under {@code fail} the run then stops). A NUL byte, or more than
     * {@code maxControlShare} of the characters being control characters, marks a binary file; invalid UTF-8 leaves
     * it out under {@code skip}.
     */
    public String rejection(InvalidUtf8 policy, double maxControlShare) {
        if (failure != null) {
            return failure;
        }
        if (nulBytes > 0) {
            return "binary: NUL byte at offset " + firstNul;
        }
        if (decoded > 0 && controlCharacters > maxControlShare * decoded) {
            return String.format("binary: %.1f%% control characters", 100.0 * controlCharacters / decoded);
        }
        if (invalidBytes > 0 && policy == InvalidUtf8.skip) {
            return "invalid UTF-8: " + invalidBytes + " byte(s), the first at offset " + firstInvalid;
        }
        return null;
    }
}
