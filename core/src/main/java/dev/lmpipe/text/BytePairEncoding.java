package dev.lmpipe.text;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.lmpipe.LmpipeException;

import java.io.ByteArrayOutputStream;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;

/**
 * Byte-level byte pair encoding: tokens 0..255 are the bytes, token {@code 256 + k} joins the two tokens of merge
 * {@code k}. Text is cut into {@link Words} first; merges never cross a word. Any byte sequence encodes and
 * decodes back exactly. Merges are learned on one machine from word counts gathered by the cluster.
 */
public final class BytePairEncoding implements Serializable {
    private static final long serialVersionUID = 1L;
    public static final int BYTES = 256;
    /** Words remembered by an encoder: a corpus repeats a few thousand words most of the time. */
    private static final int CACHE_WORDS = 50_000;

    private final int[][] merges;
    private final byte[][] tokenBytes;
    private final Map<Long, Integer> rank;
    /** Per thread: Spark's task threads share one deserialized vocabulary in an executor. */
    private transient ThreadLocal<Map<Word, int[]>> cache;

    /** A word as bytes, with value equality: the key of word counts. */
    public record Word(byte[] bytes) implements Serializable {
        @Override
        public boolean equals(Object other) {
            return other instanceof Word w && Arrays.equals(bytes, w.bytes);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(bytes);
        }

        @Override
        public String toString() {
            return new String(bytes, StandardCharsets.UTF_8);
        }
    }

    @JsonCreator
    public BytePairEncoding(@JsonProperty("merges") int[][] merges) {
        this.merges = new int[merges.length][];
        this.tokenBytes = new byte[BYTES + merges.length][];
        this.rank = new HashMap<>();
        for (int b = 0; b < BYTES; b++) {
            tokenBytes[b] = new byte[]{(byte) b};
        }
        for (int k = 0; k < merges.length; k++) {
            int[] merge = merges[k];
            if (merge == null || merge.length != 2 || merge[0] < 0 || merge[1] < 0
                    || merge[0] >= BYTES + k || merge[1] >= BYTES + k) {
                throw new LmpipeException("BPE merge " + k + " is " + Arrays.toString(merge)
                        + ": a merge joins two tokens below " + (BYTES + k));
            }
            this.merges[k] = merge.clone();
            byte[] left = tokenBytes[merge[0]];
            byte[] right = tokenBytes[merge[1]];
            byte[] joined = Arrays.copyOf(left, left.length + right.length);
            System.arraycopy(right, 0, joined, left.length, right.length);
            tokenBytes[BYTES + k] = joined;
            rank.putIfAbsent(pair(merge[0], merge[1]), k);
        }
    }

    @JsonProperty("merges")
    public int[][] merges() {
        int[][] copy = new int[merges.length][];
        for (int k = 0; k < merges.length; k++) {
            copy[k] = merges[k].clone();
        }
        return copy;
    }

    /** Number of tokens: the 256 bytes and the merges. */
    public int size() {
        return BYTES + merges.length;
    }

    public byte[] bytes(int token) {
        return tokenBytes[token].clone();
    }

    public int[] encode(String text) {
        return encode(text.getBytes(StandardCharsets.UTF_8));
    }

    public int[] encode(byte[] bytes) {
        var tokens = new int[bytes.length];
        int[] n = {0};
        Words.split(bytes, 0, bytes.length, (b, from, to) -> {
            int[] word = encodeWord(Arrays.copyOfRange(b, from, to));
            System.arraycopy(word, 0, tokens, n[0], word.length);
            n[0] += word.length;
        });
        return Arrays.copyOf(tokens, n[0]);
    }

    private int[] encodeWord(byte[] bytes) {
        if (cache == null) {
            cache = ThreadLocal.withInitial(HashMap::new); // a benign race: at worst a thread starts one cache over
        }
        Map<Word, int[]> cache = this.cache.get();
        var key = new Word(bytes);
        int[] cached = cache.get(key);
        if (cached != null) {
            return cached;
        }
        int[] symbols = new int[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            symbols[i] = bytes[i] & 0xFF;
        }
        int length = symbols.length;
        while (length > 1) {
            int best = Integer.MAX_VALUE;
            for (int i = 0; i + 1 < length; i++) {
                Integer r = rank.get(pair(symbols[i], symbols[i + 1]));
                if (r != null && r < best) {
                    best = r;
                }
            }
            if (best == Integer.MAX_VALUE) {
                break;
            }
            length = apply(symbols, length, merges[best][0], merges[best][1], BYTES + best);
        }
        int[] encoded = Arrays.copyOf(symbols, length);
        if (cache.size() >= CACHE_WORDS) {
            cache.clear();
        }
        cache.put(key, encoded);
        return encoded;
    }

    /** Replaces each (left, right) in {@code symbols[0, length)}, left to right, by {@code token}; returns the new length. */
    private static int apply(int[] symbols, int length, int left, int right, int token) {
        int out = 0;
        for (int i = 0; i < length; i++) {
            if (i + 1 < length && symbols[i] == left && symbols[i + 1] == right) {
                symbols[out++] = token;
                i++;
            } else {
                symbols[out++] = symbols[i];
            }
        }
        return out;
    }

    public byte[] decode(int[] tokens) {
        var out = new ByteArrayOutputStream(tokens.length * 3);
        for (int token : tokens) {
            out.writeBytes(tokenBytes[token]);
        }
        return out.toByteArray();
    }

    /** A printable form for reports: UTF-8 text with space, line feed and tab shown, other bytes as hex. */
    public String display(int token) {
        byte[] bytes = tokenBytes[token];
        var text = new StringBuilder();
        int i = 0;
        while (i < bytes.length) {
            int size = bytes[i] >= 0 ? 1 : Utf8.sequenceLength(bytes, i, bytes.length);
            if (size == 0) {
                text.append(String.format("<0x%02X>", bytes[i] & 0xFF));
                i++;
                continue;
            }
            int cp = size == 1 ? bytes[i] : Utf8.codePoint(bytes, i, size);
            switch (cp) {
                case ' ' -> text.append('␠');
                case '\n' -> text.append("\\n");
                case '\t' -> text.append("\\t");
                case '\r' -> text.append("\\r");
                default -> {
                    if (Character.isISOControl(cp)) {
                        text.append(String.format("<0x%02X>", cp));
                    } else {
                        text.appendCodePoint(cp);
                    }
                }
            }
            i += size;
        }
        return text.toString();
    }

    private static long pair(int left, int right) {
        return ((long) left << 32) | (right & 0xFFFFFFFFL);
    }

    /**
     * Learns up to {@code count} merges from word counts: each step joins the most frequent adjacent pair of
     * tokens, counted over every word weighted by its count (ties: the smaller pair). Only the words holding the
     * chosen pair are revisited, so learning takes time in proportion to the merges' reach, not count × corpus.
     * Stops early when no pair occurs twice.
     */
    public static BytePairEncoding learn(Map<Word, Long> wordCounts, int count) {
        var words = new ArrayList<int[]>();
        var lengths = new ArrayList<Integer>();
        var frequencies = new ArrayList<Long>();
        wordCounts.entrySet().stream()
                .sorted((a, b) -> Arrays.compare(a.getKey().bytes(), b.getKey().bytes()))
                .forEach(e -> {
                    byte[] bytes = e.getKey().bytes();
                    int[] symbols = new int[bytes.length];
                    for (int i = 0; i < bytes.length; i++) {
                        symbols[i] = bytes[i] & 0xFF;
                    }
                    words.add(symbols);
                    lengths.add(symbols.length);
                    frequencies.add(e.getValue());
                });
        var pairCounts = new HashMap<Long, Long>();
        var pairWords = new HashMap<Long, Set<Integer>>();
        for (int w = 0; w < words.size(); w++) {
            addPairs(words.get(w), lengths.get(w), frequencies.get(w), w, pairCounts, pairWords, +1);
        }
        // Max-heap of (count, pair) with lazy deletion: an entry whose count is stale is skipped.
        var heap = new PriorityQueue<long[]>((a, b) -> a[0] != b[0] ? Long.compare(b[0], a[0]) : Long.compare(a[1], b[1]));
        pairCounts.forEach((p, c) -> heap.add(new long[]{c, p}));
        var merges = new ArrayList<int[]>();
        while (merges.size() < count && !heap.isEmpty()) {
            long[] top = heap.poll();
            long current = pairCounts.getOrDefault(top[1], 0L);
            if (current != top[0]) {
                continue;
            }
            if (current < 2) {
                break;
            }
            int left = (int) (top[1] >>> 32);
            int right = (int) top[1];
            int token = BYTES + merges.size();
            merges.add(new int[]{left, right});
            var touched = new HashSet<Long>();
            for (int w : pairWords.getOrDefault(top[1], Set.of()).toArray(Integer[]::new)) {
                int[] symbols = words.get(w);
                int length = lengths.get(w);
                long frequency = frequencies.get(w);
                addPairs(symbols, length, frequency, w, pairCounts, null, -1);
                collectPairs(symbols, length, touched);
                length = apply(symbols, length, left, right, token);
                lengths.set(w, length);
                addPairs(symbols, length, frequency, w, pairCounts, pairWords, +1);
                collectPairs(symbols, length, touched);
            }
            pairWords.remove(top[1]);
            pairCounts.remove(top[1]);
            for (long p : touched) {
                Long c = pairCounts.get(p);
                if (c != null && c > 0 && p != top[1]) {
                    heap.add(new long[]{c, p});
                }
            }
        }
        return new BytePairEncoding(merges.toArray(int[][]::new));
    }

    private static void addPairs(int[] symbols, int length, long frequency, int word, Map<Long, Long> counts,
                                 Map<Long, Set<Integer>> index, int sign) {
        for (int i = 0; i + 1 < length; i++) {
            long p = pair(symbols[i], symbols[i + 1]);
            long updated = counts.getOrDefault(p, 0L) + sign * frequency;
            if (updated == 0) {
                counts.remove(p);
            } else {
                counts.put(p, updated);
            }
            if (index != null) {
                index.computeIfAbsent(p, k -> new HashSet<>()).add(word);
            }
        }
    }

    private static void collectPairs(int[] symbols, int length, Set<Long> into) {
        for (int i = 0; i + 1 < length; i++) {
            into.add(pair(symbols[i], symbols[i + 1]));
        }
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof BytePairEncoding b && Arrays.deepEquals(merges, b.merges);
    }

    @Override
    public int hashCode() {
        return Arrays.deepHashCode(merges);
    }
}
