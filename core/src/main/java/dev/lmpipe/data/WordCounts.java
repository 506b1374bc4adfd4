package dev.lmpipe.data;

import dev.lmpipe.storage.Storage;
import dev.lmpipe.text.BytePairEncoding;
import dev.lmpipe.text.Words;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Counts the words (in the sense of {@link Words}) of one reading task's clean text: the statistics BPE merges
 * are learned from. The table is bounded: past {@value #MAX_WORDS} distinct words, words seen once are dropped
 * (a rare word contributes little to any pair count, and the driver keeps only the most frequent words anyway).
 */
public final class WordCounts {
    static final int MAX_WORDS = 1_000_000;

    private WordCounts() {
    }

    public static Map<BytePairEncoding.Word, Long> count(Storage storage, String dataset, List<Segment> segments) {
        var counts = new HashMap<BytePairEncoding.Word, Long>();
        for (Segment segment : segments) {
            byte[] text = new byte[(int) segment.length()];
            storage.readFully(Parts.text(dataset, segment.task(), segment.split()), new long[]{segment.start()}, new byte[][]{text});
            for (byte[] word : Words.split(new String(text, StandardCharsets.UTF_8))) {
                counts.merge(new BytePairEncoding.Word(word), 1L, Long::sum);
            }
            if (counts.size() > MAX_WORDS) {
                counts.values().removeIf(n -> n == 1);
            }
        }
        return counts;
    }
}
