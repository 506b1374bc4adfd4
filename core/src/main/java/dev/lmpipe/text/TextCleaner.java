package dev.lmpipe.text;

import java.nio.charset.StandardCharsets;
import java.text.Normalizer;
import java.util.Arrays;

/**
 * Turns the raw bytes of a piece into clean UTF-8 text: decodes (replacing invalid bytes by U+FFFD), drops NUL
 * bytes and a leading byte order mark, applies the line-ending, control-character, normalisation and case
 * settings, counts every kept character, and records what it saw in the file's {@link FileStats}.
 *
 * <p>Pieces of plain printable ASCII, the bulk of most corpora, take a fast path that copies nothing. One
 * cleaner per task: it reuses its buffers and is not thread-safe.
 */
public final class TextCleaner {
    /** Counts of every code point kept since the last drain, indexed by code point. */
    private final long[] counts = new long[Character.MAX_CODE_POINT + 1];
    /** Code points above ASCII whose count is not zero; ASCII counts are always visited. */
    private int[] touched = new int[256];
    private int touchedCount;
    private final Cleaning cleaning;
    private byte[] output = new byte[1024];

    public TextCleaner(Cleaning cleaning) {
        this.cleaning = cleaning;
    }

    /** Clean text: bytes {@code [0, length)} of {@code bytes} (valid UTF-8), holding {@code characters} code points. */
    public record Cleaned(byte[] bytes, int length, int characters) {
    }

    /**
     * Cleans bytes {@code [0, length)} of a piece that starts at byte {@code offset} of its file. The result may
     * share {@code bytes} or the cleaner's buffer: use it before the next call.
     */
    public Cleaned clean(byte[] bytes, int length, long offset, FileStats stats) {
        stats.bytes += length;
        boolean lowercase = cleaning.lowercase();
        int i = 0;
        for (; i < length; i++) {
            int b = bytes[i];
            if (b < 0x20 ? b != '\n' && b != '\t' : b == 0x7F || (lowercase && b >= 'A' && b <= 'Z')) {
                break;
            }
            counts[b]++;
        }
        if (i == length) {
            stats.decoded += length;
            stats.characters += length;
            return new Cleaned(bytes, length, length);
        }
        return cleaning.normalization().form == null
                ? cleanBytes(i, bytes, length, offset, stats, true)
                : cleanNormalizing(i, bytes, length, offset, stats);
    }

    /**
     * The general path, from byte {@code start} on (bytes before it are plain ASCII, already counted): decodes,
     * drops what the settings drop, and copies valid sequences as bytes (re-encoded only when lower-casing changes
     * them), so mixed-script text costs little more than ASCII. With {@code finished} false (normalisation
     * follows) it neither counts nor lower-cases: {@link #cleanNormalizing} does both after normalising.
     */
    private Cleaned cleanBytes(int start, byte[] bytes, int length, long offset, FileStats stats, boolean finished) {
        if (output.length < 3 * length) { // an invalid byte becomes U+FFFD, 3 bytes
            output = new byte[Math.max(3 * length, 2 * output.length)];
        }
        byte[] out = output;
        System.arraycopy(bytes, 0, out, 0, start);
        boolean lowercase = finished && cleaning.lowercase();
        long[] asciiCounts = finished ? counts : new long[0x80];
        boolean removeControls = cleaning.controlCharacters() == Cleaning.ControlCharacters.remove;
        boolean lf = cleaning.lineEndings() == Cleaning.LineEndings.lf;
        long decoded = start;
        int characters = start;
        int o = start;
        int i = start;
        while (i < length) {
            int b = bytes[i];
            if ((b >= 0x20 && b != 0x7F) || b == '\n' || b == '\t') {
                if (lowercase && b >= 'A' && b <= 'Z') {
                    b += 'a' - 'A';
                }
                asciiCounts[b]++;
                out[o++] = (byte) b;
                characters++;
                decoded++;
                i++;
                continue;
            }
            if (b < 0 && !lowercase && i + 1 < length && (bytes[i + 1] & 0xC0) == 0x80) {
                // Valid 2- and 3-byte sequences of letters, copied as they are: the bulk of non-ASCII text.
                int lead = b & 0xFF;
                if (lead >= 0xC2 && lead <= 0xDF) {
                    int cp = (lead & 0x1F) << 6 | (bytes[i + 1] & 0x3F);
                    if (cp > 0x9F) { // not a C1 control
                        if (finished) {
                            count(cp);
                        }
                        out[o] = bytes[i];
                        out[o + 1] = bytes[i + 1];
                        o += 2;
                        i += 2;
                        characters++;
                        decoded++;
                        continue;
                    }
                } else if (lead >= 0xE0 && lead <= 0xEF && i + 2 < length && (bytes[i + 2] & 0xC0) == 0x80) {
                    int cp = (lead & 0x0F) << 12 | (bytes[i + 1] & 0x3F) << 6 | (bytes[i + 2] & 0x3F);
                    if (cp >= 0x800 && (cp < 0xD800 || cp > 0xDFFF) && cp != 0xFEFF) {
                        if (finished) {
                            count(cp);
                        }
                        out[o] = bytes[i];
                        out[o + 1] = bytes[i + 1];
                        out[o + 2] = bytes[i + 2];
                        o += 3;
                        i += 3;
                        characters++;
                        decoded++;
                        continue;
                    }
                }
            }
            int cp;
            int size = 1;
            if (b >= 0) {
                cp = b;
            } else {
                size = Utf8.sequenceLength(bytes, i, length);
                if (size == 0) {
                    stats.invalid(offset + i);
                    cp = Utf8.REPLACEMENT;
                    size = 1;
                } else {
                    cp = Utf8.codePoint(bytes, i, size);
                }
            }
            int at = i;
            i += size;
            decoded++;
            if (cp == 0) {
                stats.nul(offset + at);
                continue;
            }
            if (cp == '\r' && lf) {
                if (i < length && bytes[i] == '\n') {
                    continue;
                }
                cp = '\n';
            } else if (isControl(cp)) {
                stats.controlCharacters++;
                if (removeControls) {
                    continue;
                }
            } else if (cp == 0xFEFF && offset == 0 && at == 0) {
                continue; // a byte order mark opening the file is not text
            }
            int lower = lowercase ? Character.toLowerCase(cp) : cp;
            if (finished) {
                count(lower);
            }
            characters++;
            if (lower == cp && cp != Utf8.REPLACEMENT && cp != '\n') {
                System.arraycopy(bytes, at, out, o, size);
                o += size;
            } else {
                o = Utf8.encode(lower, out, o);
            }
        }
        stats.decoded += decoded;
        if (finished) {
            stats.characters += characters;
        }
        return new Cleaned(out, o, characters);
    }

    private void count(int cp) {
        if (cp < 0x80) {
            counts[cp]++;
        } else if (counts[cp]++ == 0) {
            if (touchedCount == touched.length) {
                touched = Arrays.copyOf(touched, 2 * touchedCount);
            }
            touched[touchedCount++] = cp;
        }
    }

    /** The normalising path for a whole piece, whatever the settings: what {@link #cleanBytes} must agree with. */
    Cleaned cleanByCodePoints(byte[] bytes, int length, long offset, FileStats stats) {
        stats.bytes += length;
        return cleanNormalizing(0, bytes, length, offset, stats);
    }

    /**
     * The path with normalisation, from byte {@code start} on: decodes and drops as {@link #cleanBytes} does, then
     * normalises, lower-cases and counts the code points of the result.
     */
    private Cleaned cleanNormalizing(int start, byte[] bytes, int length, long offset, FileStats stats) {
        for (int k = 0; k < start; k++) {
            counts[bytes[k]]--; // recounted below, after normalisation
        }
        Cleaned decoded = cleanBytes(start, bytes, length, offset, stats, false);
        String text = new String(decoded.bytes(), 0, decoded.length(), StandardCharsets.UTF_8);
        Normalizer.Form form = cleaning.normalization().form;
        if (form != null && !Normalizer.isNormalized(text, form)) {
            text = Normalizer.normalize(text, form);
        }
        int[] codePoints = text.codePoints().toArray();
        return encode(codePoints, codePoints.length, stats);
    }

    private Cleaned encode(int[] cleaned, int n, FileStats stats) {
        if (output.length < 4 * n) {
            output = new byte[Math.max(4 * n, 2 * output.length)];
        }
        boolean lowercase = cleaning.lowercase();
        int length = 0;
        for (int k = 0; k < n; k++) {
            int cp = lowercase ? Character.toLowerCase(cleaned[k]) : cleaned[k];
            count(cp);
            length = Utf8.encode(cp, output, length);
        }
        stats.characters += n;
        return new Cleaned(output, length, n);
    }

    /** C0 and C1 controls and DEL, except tab, LF and CR, which text uses. */
    static boolean isControl(int cp) {
        return (cp < 0x20 && cp != '\t' && cp != '\n' && cp != '\r') || (cp >= 0x7F && cp <= 0x9F);
    }

    /** Adds the counts since the last drain to {@code target} (indexed by code point) and starts again from zero. */
    public void drainTo(long[] target) {
        for (int cp = 0; cp < 0x80; cp++) {
            target[cp] += counts[cp];
        }
        for (int k = 0; k < touchedCount; k++) {
            target[touched[k]] += counts[touched[k]];
        }
        discard();
    }

    /** The counts since the last drain as a sparse table {code points, counts}, starting again from zero. */
    public long[][] drain() {
        var all = new java.util.TreeMap<Integer, Long>();
        for (int cp = 0; cp < 0x80; cp++) {
            if (counts[cp] != 0) {
                all.put(cp, counts[cp]);
            }
        }
        for (int k = 0; k < touchedCount; k++) {
            all.put(touched[k], counts[touched[k]]);
        }
        discard();
        long[][] table = new long[2][all.size()];
        int k = 0;
        for (var e : all.entrySet()) {
            table[0][k] = e.getKey();
            table[1][k++] = e.getValue();
        }
        return table;
    }

    /** Forgets the counts since the last drain (the file they came from is left out). */
    public void discard() {
        for (int cp = 0; cp < 0x80; cp++) {
            counts[cp] = 0;
        }
        for (int k = 0; k < touchedCount; k++) {
            counts[touched[k]] = 0;
        }
        touchedCount = 0;
    }

    /** A dense count array as a sparse table {code points, counts}, zeros left out. */
    public static long[][] sparse(long[] counts) {
        int nonZero = 0;
        for (long c : counts) {
            if (c != 0) {
                nonZero++;
            }
        }
        long[][] table = new long[2][nonZero];
        int k = 0;
        for (int cp = 0; cp < counts.length; cp++) {
            if (counts[cp] != 0) {
                table[0][k] = cp;
                table[1][k++] = counts[cp];
            }
        }
        return table;
    }
}
