package dev.lmpipe.text;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.lmpipe.LmpipeException;

import java.io.Serializable;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * The character vocabulary: token id 0 is {@code <unk>}, ids 1..n are the kept code points in ascending
 * code point order. Code points seen fewer than {@code minCount} times, or beyond the {@code maxSize}
 * most frequent, map to {@code <unk>}. Immutable; travels in every manifest and checkpoint.
 */
public final class Vocabulary implements Serializable {
    private static final long serialVersionUID = 1L;
    public static final int UNK = 0;
    public static final String UNK_TOKEN = "<unk>";

    private final int[] codePoints;

    @JsonCreator
    public Vocabulary(@JsonProperty("codePoints") int[] codePoints) {
        int[] sorted = codePoints.clone();
        Arrays.sort(sorted);
        for (int i = 1; i < sorted.length; i++) {
            if (sorted[i] == sorted[i - 1]) {
                throw new LmpipeException("vocabulary lists code point U+" + Integer.toHexString(sorted[i]) + " twice");
            }
        }
        this.codePoints = sorted;
    }

    /**
     * Builds a vocabulary from counts: keeps code points with at least {@code minCount} occurrences, then the
     * {@code maxSize - 1} most frequent of those (one id is {@code <unk>}); ties broken by code point.
     */
    public static Vocabulary build(Map<Integer, Long> counts, int minCount, int maxSize) {
        var kept = new ArrayList<Map.Entry<Integer, Long>>();
        for (var entry : counts.entrySet()) {
            if (entry.getValue() >= minCount) {
                kept.add(entry);
            }
        }
        kept.sort(Comparator.<Map.Entry<Integer, Long>>comparingLong(Map.Entry::getValue).reversed()
                .thenComparing(Map.Entry::getKey));
        int limit = Math.min(kept.size(), maxSize - 1);
        int[] chosen = new int[limit];
        for (int i = 0; i < limit; i++) {
            chosen[i] = kept.get(i).getKey();
        }
        return new Vocabulary(chosen);
    }

    @JsonProperty("codePoints")
    public int[] codePoints() {
        return codePoints.clone();
    }

    /** Number of token ids, {@code <unk>} included. */
    @JsonIgnore
    public int size() {
        return codePoints.length + 1;
    }

    public int id(int codePoint) {
        int index = Arrays.binarySearch(codePoints, codePoint);
        return index >= 0 ? index + 1 : UNK;
    }

    public boolean contains(int codePoint) {
        return Arrays.binarySearch(codePoints, codePoint) >= 0;
    }

    /** The code point of a token id; {@code <unk>} decodes to U+FFFD. */
    public int codePoint(int id) {
        if (id == UNK) {
            return Utf8.REPLACEMENT;
        }
        return codePoints[id - 1];
    }

    public int[] encode(int[] text) {
        int[] ids = new int[text.length];
        for (int i = 0; i < text.length; i++) {
            ids[i] = id(text[i]);
        }
        return ids;
    }

    public String decode(int[] ids) {
        var text = new StringBuilder(ids.length);
        for (int id : ids) {
            text.appendCodePoint(codePoint(id));
        }
        return text.toString();
    }

    /** A printable name for a token, for reports: {@code <unk>}, {@code \n}, {@code ␠} for space. */
    public String display(int id) {
        if (id == UNK) {
            return UNK_TOKEN;
        }
        int cp = codePoint(id);
        return switch (cp) {
            case '\n' -> "\\n";
            case '\r' -> "\\r";
            case '\t' -> "\\t";
            case ' ' -> "␠";
            default -> Character.isISOControl(cp) ? String.format("U+%04X", cp) : new String(Character.toChars(cp));
        };
    }

    /** SHA-256 of the code point list: two vocabularies with the same fingerprint assign the same ids. */
    @JsonIgnore
    public String fingerprint() {
        try {
            var digest = MessageDigest.getInstance("SHA-256");
            var buffer = ByteBuffer.allocate(4 * codePoints.length);
            for (int cp : codePoints) {
                buffer.putInt(cp);
            }
            return HexFormat.of().formatHex(digest.digest(buffer.array()));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Vocabulary v && Arrays.equals(codePoints, v.codePoints);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(codePoints);
    }

    @Override
    public String toString() {
        return "Vocabulary(" + size() + " ids)";
    }

}
