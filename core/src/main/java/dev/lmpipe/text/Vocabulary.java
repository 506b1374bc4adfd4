package dev.lmpipe.text;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.lmpipe.LmpipeException;

import java.io.Serializable;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * A dataset's tokenizer and its token ids; immutable, it travels in every manifest and checkpoint. Token id 0 is
 * {@code <unk>} in both kinds.
 *
 * <p>Characters ({@code char}): ids 1..n are the kept code points in ascending code point order. Code points
 * seen fewer than {@code minCount} times, or beyond the {@code maxSize} most frequent, map to {@code <unk>}.
 * JSON: {@code {"codePoints": [...]}}.
 *
 * <p>Byte-level BPE ({@code bpe}): id {@code 1 + t} is token {@code t} of the {@link BytePairEncoding} (the 256
 * bytes, then the merges); any text round-trips and {@code <unk>} never occurs. JSON: {@code {"merges": [...]}}.
 */
public final class Vocabulary implements Serializable {
    private static final long serialVersionUID = 2L;
    public static final int UNK = 0;
    public static final String UNK_TOKEN = "<unk>";

    private final int[] codePoints;
    private final BytePairEncoding bpe;
    /** Ids of the code points below 0x10000, built on first use: encoding is a table look-up, not a search. */
    private transient int[] basicPlane;

    public Vocabulary(int[] codePoints) {
        this(codePoints, null);
    }

    @JsonCreator
    public Vocabulary(@JsonProperty("codePoints") int[] codePoints, @JsonProperty("merges") int[][] merges) {
        this.bpe = merges == null ? null : new BytePairEncoding(merges);
        int[] sorted = codePoints == null ? new int[0] : codePoints.clone();
        Arrays.sort(sorted);
        for (int i = 1; i < sorted.length; i++) {
            if (sorted[i] == sorted[i - 1]) {
                throw new LmpipeException("vocabulary lists code point U+" + Integer.toHexString(sorted[i]) + " twice");
            }
        }
        this.codePoints = sorted;
    }

    /** A byte-level BPE vocabulary. */
    public static Vocabulary bpe(BytePairEncoding encoding) {
        return new Vocabulary(null, encoding.merges());
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
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public int[] codePoints() {
        return bpe != null ? null : codePoints.clone();
    }

    @JsonProperty("merges")
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public int[][] merges() {
        return bpe == null ? null : bpe.merges();
    }

    @JsonIgnore
    public TokenizerKind tokenizer() {
        return bpe == null ? TokenizerKind.character : TokenizerKind.bpe;
    }

    /** The tokenizer and the version of its encoding, as manifests record it. */
    @JsonIgnore
    public String tokenizerVersion() {
        return bpe == null ? "char-v1" : "bpe-v1";
    }

    /** Number of token ids, {@code <unk>} included. */
    @JsonIgnore
    public int size() {
        return bpe == null ? codePoints.length + 1 : bpe.size() + 1;
    }

    /** The id of a code point under the character tokenizer. */
    public int id(int codePoint) {
        int index = Arrays.binarySearch(codePoints, codePoint);
        return index >= 0 ? index + 1 : UNK;
    }

    /** Whether the code point has its own token (or, for BPE, can be encoded at all: always). */
    public boolean contains(int codePoint) {
        return bpe != null || Arrays.binarySearch(codePoints, codePoint) >= 0;
    }

    /** Token ids of a text given as code points. */
    public int[] encode(int[] text) {
        if (bpe != null) {
            return encode(new String(text, 0, text.length));
        }
        int[] table = basicPlane();
        int[] ids = new int[text.length];
        for (int i = 0; i < text.length; i++) {
            int cp = text[i];
            ids[i] = cp < table.length ? table[cp] : id(cp);
        }
        return ids;
    }

    public int[] encode(String text) {
        if (bpe == null) {
            return encode(text.codePoints().toArray());
        }
        int[] tokens = bpe.encode(text.getBytes(StandardCharsets.UTF_8));
        for (int i = 0; i < tokens.length; i++) {
            tokens[i]++;
        }
        return tokens;
    }

    /** Token ids of UTF-8 text (valid, as tokenize's clean text is). */
    public int[] encodeUtf8(byte[] utf8) {
        if (bpe == null) {
            return encode(Utf8.decode(utf8, 0, utf8.length));
        }
        int[] tokens = bpe.encode(utf8);
        for (int i = 0; i < tokens.length; i++) {
            tokens[i]++;
        }
        return tokens;
    }

    private int[] basicPlane() {
        int[] table = basicPlane;
        if (table == null) {
            table = new int[0x10000];
            for (int id = 1; id <= codePoints.length && codePoints[id - 1] < table.length; id++) {
                table[codePoints[id - 1]] = id;
            }
            basicPlane = table;
        }
        return table;
    }

    /** The text of token ids; {@code <unk>} decodes to U+FFFD, and BPE bytes that are not valid UTF-8 too. */
    public String decode(int[] ids) {
        if (bpe != null) {
            return new String(bytes(ids), StandardCharsets.UTF_8);
        }
        var text = new StringBuilder(ids.length);
        for (int id : ids) {
            text.appendCodePoint(id == UNK ? Utf8.REPLACEMENT : codePoints[id - 1]);
        }
        return text.toString();
    }

    /** The UTF-8 bytes of token ids ({@code <unk>} as U+FFFD). */
    public byte[] bytes(int[] ids) {
        if (bpe == null) {
            return decode(ids).getBytes(StandardCharsets.UTF_8);
        }
        var out = new java.io.ByteArrayOutputStream(ids.length * 4);
        for (int id : ids) {
            out.writeBytes(id == UNK ? REPLACEMENT_BYTES : bpe.bytes(id - 1));
        }
        return out.toByteArray();
    }

    private static final byte[] REPLACEMENT_BYTES = new String(Character.toChars(Utf8.REPLACEMENT)).getBytes(StandardCharsets.UTF_8);

    /** A printable name for a token, for reports: {@code <unk>}, {@code \n}, {@code ␠} for space. */
    public String display(int id) {
        if (id == UNK) {
            return UNK_TOKEN;
        }
        if (bpe != null) {
            return bpe.display(id - 1);
        }
        int cp = codePoints[id - 1];
        return switch (cp) {
            case '\n' -> "\\n";
            case '\r' -> "\\r";
            case '\t' -> "\\t";
            case ' ' -> "␠";
            default -> Character.isISOControl(cp) ? String.format("U+%04X", cp) : new String(Character.toChars(cp));
        };
    }

    /** SHA-256 of the code point list (or of the merges): two vocabularies with the same fingerprint assign the same ids. */
    @JsonIgnore
    public String fingerprint() {
        try {
            var digest = MessageDigest.getInstance("SHA-256");
            if (bpe != null) {
                digest.update("bpe".getBytes(StandardCharsets.UTF_8));
                for (int[] merge : bpe.merges()) {
                    digest.update(ByteBuffer.allocate(8).putInt(merge[0]).putInt(merge[1]).array());
                }
                return HexFormat.of().formatHex(digest.digest());
            }
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
        return other instanceof Vocabulary v && Arrays.equals(codePoints, v.codePoints)
                && java.util.Objects.equals(bpe, v.bpe);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(codePoints) * 31 + java.util.Objects.hashCode(bpe);
    }

    @Override
    public String toString() {
        return "Vocabulary(" + tokenizerVersion() + ", " + size() + " ids)";
    }

}
