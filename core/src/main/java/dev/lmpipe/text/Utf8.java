package dev.lmpipe.text;

import dev.lmpipe.LmpipeException;

import java.util.Arrays;

/**
 * A strict UTF-8 decoder to code points. Written out rather than using {@code CharsetDecoder} because the
 * pipeline needs code points (not UTF-16 chars), the exact byte offset of the first invalid sequence, and a
 * count of replacements.
 */
public final class Utf8 {
    public static final int REPLACEMENT = 0xFFFD;

    private Utf8() {
    }

    /** Decoded text: the code points and how many invalid bytes were replaced by U+FFFD. */
    public record Decoded(int[] codePoints, long replacedBytes) {
    }

    /**
     * Decodes {@code bytes} read from {@code source}. A NUL byte marks a binary file and is always refused:
     * a corpus of text has none, and training on a binary file silently would poison the vocabulary.
     */
    public static Decoded decode(byte[] bytes, String source, InvalidUtf8 policy) {
        int[] out = new int[bytes.length];
        int n = 0;
        long replaced = 0;
        int i = 0;
        while (i < bytes.length) {
            int b = bytes[i] & 0xFF;
            if (b < 0x80) {
                if (b == 0) {
                    throw new LmpipeException(source + " looks like a binary file (NUL byte at offset " + i
                            + "); lmpipe reads UTF-8 text: remove it from the input");
                }
                out[n++] = b;
                i++;
                continue;
            }
            int length = sequenceLength(bytes, i);
            if (length > 0) {
                out[n++] = codePoint(bytes, i, length);
                i += length;
            } else if (policy == InvalidUtf8.fail) {
                throw new LmpipeException("invalid UTF-8 in " + source + " at byte offset " + i
                        + String.format(" (byte 0x%02X)", b) + "; fix the file or set invalidUtf8 = replace");
            } else {
                out[n++] = REPLACEMENT;
                replaced++;
                i++;
            }
        }
        return new Decoded(Arrays.copyOf(out, n), replaced);
    }

    /** The length of the valid sequence starting at {@code i}, or 0 if it is invalid. */
    private static int sequenceLength(byte[] bytes, int i) {
        int b = bytes[i] & 0xFF;
        int length;
        int min;
        int max;
        if (b >= 0xC2 && b <= 0xDF) {
            length = 2; min = 0x80; max = 0x7FF;
        } else if (b >= 0xE0 && b <= 0xEF) {
            length = 3; min = 0x800; max = 0xFFFF;
        } else if (b >= 0xF0 && b <= 0xF4) {
            length = 4; min = 0x10000; max = 0x10FFFF;
        } else {
            return 0;
        }
        if (i + length > bytes.length) {
            return 0;
        }
        for (int k = 1; k < length; k++) {
            if ((bytes[i + k] & 0xC0) != 0x80) {
                return 0;
            }
        }
        int cp = codePoint(bytes, i, length);
        boolean surrogate = cp >= 0xD800 && cp <= 0xDFFF;
        return cp < min || cp > max || surrogate ? 0 : length;
    }

    private static int codePoint(byte[] bytes, int i, int length) {
        int cp = bytes[i] & (0xFF >> (length + 1));
        for (int k = 1; k < length; k++) {
            cp = (cp << 6) | (bytes[i + k] & 0x3F);
        }
        return cp;
    }
}
