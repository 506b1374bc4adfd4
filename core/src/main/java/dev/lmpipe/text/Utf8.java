package dev.lmpipe.text;

import java.util.Arrays;

/**
 * A strict UTF-8 decoder and encoder of single code points. Written out rather than using {@code CharsetDecoder} because the
 * pipeline needs code points (not UTF-16 chars), the exact byte offset of the first invalid sequence, and a
 * count of replacements.
 */
public final class Utf8 {
    public static final int REPLACEMENT = 0xFFFD;

    private Utf8() {
    }

    /** The length of the valid sequence starting at {@code i}, or 0 if it is invalid. */
    static int sequenceLength(byte[] bytes, int i, int length) {
        int b = bytes[i] & 0xFF;
        int size;
        int min;
        int max;
        if (b >= 0xC2 && b <= 0xDF) {
            size = 2; min = 0x80; max = 0x7FF;
        } else if (b >= 0xE0 && b <= 0xEF) {
            size = 3; min = 0x800; max = 0xFFFF;
        } else if (b >= 0xF0 && b <= 0xF4) {
            size = 4; min = 0x10000; max = 0x10FFFF;
        } else {
            return 0;
        }
        if (i + size > length) {
            return 0;
        }
        for (int k = 1; k < size; k++) {
            if ((bytes[i + k] & 0xC0) != 0x80) {
                return 0;
            }
        }
        int cp = codePoint(bytes, i, size);
        boolean surrogate = cp >= 0xD800 && cp <= 0xDFFF;
        return cp < min || cp > max || surrogate ? 0 : size;
    }

    static int codePoint(byte[] bytes, int i, int length) {
        int cp = bytes[i] & (0xFF >> (length + 1));
        for (int k = 1; k < length; k++) {
            cp = (cp << 6) | (bytes[i + k] & 0x3F);
        }
        return cp;
    }

    /**
     * Code points of bytes {@code [from, to)}, which must be valid UTF-8 (text tokenize has already cleaned);
     * an invalid byte decodes to U+FFFD rather than failing.
     */
    public static int[] decode(byte[] bytes, int from, int to) {
        int[] out = new int[to - from];
        int n = 0;
        int i = from;
        while (i < to) {
            int b = bytes[i];
            if (b >= 0) {
                out[n++] = b;
                i++;
                continue;
            }
            int size = sequenceLength(bytes, i, to);
            out[n++] = size == 0 ? REPLACEMENT : codePoint(bytes, i, size);
            i += Math.max(1, size);
        }
        return Arrays.copyOf(out, n);
    }

    /** Writes {@code cp} as UTF-8 at {@code at}; returns the position after it. */
    static int encode(int cp, byte[] out, int at) {
        if (cp < 0x80) {
            out[at] = (byte) cp;
            return at + 1;
        } else if (cp < 0x800) {
            out[at] = (byte) (0xC0 | cp >> 6);
            out[at + 1] = (byte) (0x80 | cp & 0x3F);
            return at + 2;
        } else if (cp < 0x10000) {
            out[at] = (byte) (0xE0 | cp >> 12);
            out[at + 1] = (byte) (0x80 | cp >> 6 & 0x3F);
            out[at + 2] = (byte) (0x80 | cp & 0x3F);
            return at + 3;
        }
        out[at] = (byte) (0xF0 | cp >> 18);
        out[at + 1] = (byte) (0x80 | cp >> 12 & 0x3F);
        out[at + 2] = (byte) (0x80 | cp >> 6 & 0x3F);
        out[at + 3] = (byte) (0x80 | cp & 0x3F);
        return at + 4;
    }
}
