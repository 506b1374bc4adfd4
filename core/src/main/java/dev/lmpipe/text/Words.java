package dev.lmpipe.text;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The pre-tokenizer of byte-level BPE: cuts UTF-8 bytes into words, the units whose pairs BPE counts and merges
 * never cross. A word is a run of letters (with their combining marks), of digits, or of other visible
 * characters, each optionally led by one space; or a run of other whitespace; a line feed is always a word of
 * its own. So text cut after any line feed splits into the same words piece by piece as whole, and the words
 * concatenated are exactly the input, invalid UTF-8 included (an invalid byte counts as an "other" character).
 */
public final class Words {
    private static final int NEWLINE = 0;
    private static final int SPACE = 1;
    private static final int LETTER = 2;
    private static final int DIGIT = 3;
    private static final int OTHER = 4;

    private Words() {
    }

    /** Receives each word as a byte range of the input. */
    @FunctionalInterface
    public interface Consumer {
        void word(byte[] bytes, int from, int to);
    }

    public static List<byte[]> split(String text) {
        return split(text.getBytes(StandardCharsets.UTF_8));
    }

    public static List<byte[]> split(byte[] bytes) {
        var words = new ArrayList<byte[]>();
        split(bytes, 0, bytes.length, (b, from, to) -> words.add(java.util.Arrays.copyOfRange(b, from, to)));
        return words;
    }

    /** Calls {@code consumer} with each word of bytes {@code [from, to)}, in order. */
    public static void split(byte[] bytes, int from, int to, Consumer consumer) {
        int i = from;
        while (i < to) {
            int start = i;
            int kind = kind(bytes, i, to);
            if (kind == NEWLINE) {
                i++;
            } else if (bytes[i] == ' ' && i + 1 < to && isWordKind(kind(bytes, i + 1, to))) {
                i = run(bytes, i + 1, to, kind(bytes, i + 1, to));
            } else if (kind == SPACE) {
                i = run(bytes, i, to, SPACE);
                // A space right before a word goes with that word.
                if (i < to && i - start > 1 && bytes[i - 1] == ' ' && isWordKind(kind(bytes, i, to))) {
                    i--;
                }
            } else {
                i = run(bytes, i, to, kind);
            }
            consumer.word(bytes, start, i);
        }
    }

    private static boolean isWordKind(int kind) {
        return kind == LETTER || kind == DIGIT || kind == OTHER;
    }

    /** The end of the run of {@code kind} starting at {@code i}; letters carry the marks that follow them. */
    private static int run(byte[] bytes, int i, int to, int kind) {
        while (i < to && kind(bytes, i, to) == kind) {
            i += width(bytes, i, to);
        }
        return i;
    }

    private static int width(byte[] bytes, int i, int to) {
        if (bytes[i] >= 0) {
            return 1;
        }
        return Math.max(1, Utf8.sequenceLength(bytes, i, to));
    }

    private static int kind(byte[] bytes, int i, int to) {
        int b = bytes[i];
        if (b >= 0) {
            if (b == '\n') {
                return NEWLINE;
            }
            if (b == ' ' || b == '\t' || b == '\r' || b == 0x0B || b == 0x0C) {
                return SPACE;
            }
            if ((b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z')) {
                return LETTER;
            }
            return b >= '0' && b <= '9' ? DIGIT : OTHER;
        }
        int size = Utf8.sequenceLength(bytes, i, to);
        if (size == 0) {
            return OTHER;
        }
        int cp = Utf8.codePoint(bytes, i, size);
        if (Character.isLetter(cp)) {
            return LETTER;
        }
        int type = Character.getType(cp);
        if (type == Character.NON_SPACING_MARK || type == Character.ENCLOSING_MARK || type == Character.COMBINING_SPACING_MARK) {
            return LETTER;
        }
        if (Character.isDigit(cp)) {
            return DIGIT;
        }
        return Character.isWhitespace(cp) || Character.isSpaceChar(cp) ? SPACE : OTHER;
    }
}
