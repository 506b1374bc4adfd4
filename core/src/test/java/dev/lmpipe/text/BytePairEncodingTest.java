package dev.lmpipe.text;

import dev.lmpipe.LmpipeException;
import dev.lmpipe.config.Json;
import dev.lmpipe.SharedData;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BytePairEncodingTest {

    private static Map<BytePairEncoding.Word, Long> wordCounts(String text) {
        var counts = new HashMap<BytePairEncoding.Word, Long>();
        for (byte[] word : Words.split(text)) {
            counts.merge(new BytePairEncoding.Word(word), 1L, Long::sum);
        }
        return counts;
    }

    @Test
    void learnsTheMostFrequentPairsFirstWithinWords() {
        // Words: "low" ×5, " lower" ×2, " newest" ×6, " widest" ×3 (the classic example, spaces leading).
        var counts = new HashMap<BytePairEncoding.Word, Long>();
        counts.put(new BytePairEncoding.Word("low".getBytes(StandardCharsets.UTF_8)), 5L);
        counts.put(new BytePairEncoding.Word(" lower".getBytes(StandardCharsets.UTF_8)), 2L);
        counts.put(new BytePairEncoding.Word(" newest".getBytes(StandardCharsets.UTF_8)), 6L);
        counts.put(new BytePairEncoding.Word(" widest".getBytes(StandardCharsets.UTF_8)), 3L);

        var bpe = BytePairEncoding.learn(counts, 3);

        // Pair counts: "es" 9, "st" 9, "we" 8 (6 + 2), "lo" 7, "ow" 7. "es" wins the tie with "st" (the smaller
        // pair, 'e' < 's'). Then "es"+"t" has 9, while "we" drops to 2 (newest's "we" became "w"+"es"). Then
        // "lo" and "ow" tie at 7 and "lo" is the smaller pair.
        assertThat(bpe.merges()).isDeepEqualTo(new int[][]{{'e', 's'}, {256, 't'}, {'l', 'o'}});
        assertThat(bpe.encode(" newest")).containsExactly(' ', 'n', 'e', 'w', 257);
        assertThat(bpe.encode(" lower")).containsExactly(' ', 258, 'w', 'e', 'r');
        assertThat(new String(bpe.decode(bpe.encode(" newest")), StandardCharsets.UTF_8)).isEqualTo(" newest");
    }

    @Test
    void anyBytesRoundTripIncludingInvalidUtf8() {
        var bpe = BytePairEncoding.learn(wordCounts("the cat sat on the mat, the end\n".repeat(20)), 30);
        var random = new Random(7);
        for (int length : new int[]{0, 1, 2, 3, 17, 256, 4096}) {
            byte[] bytes = new byte[length];
            random.nextBytes(bytes);
            assertThat(bpe.decode(bpe.encode(bytes))).as("length %d", length).isEqualTo(bytes);
        }
    }

    @Test
    void everySharedCorpusRoundTripsAndCompresses() throws IOException {
        for (String name : List.of("tinyshakespeare.txt", "kjv.txt")) {
            byte[] bytes = Files.readAllBytes(SharedData.file(name));
            var bpe = BytePairEncoding.learn(wordCounts(new String(bytes, StandardCharsets.UTF_8)), 500);
            assertThat(bpe.size()).isEqualTo(756);
            int[] tokens = bpe.encode(bytes);
            assertThat(bpe.decode(tokens)).as(name).isEqualTo(bytes);
            // 500 merges of English prose take common words and endings whole: well under 0.5 tokens per byte
            // (measured 0.45 on tinyshakespeare, 0.38 on kjv); bytes alone would be 1.0.
            assertThat((double) tokens.length / bytes.length).as(name).isLessThan(0.5);
        }
    }

    @Test
    void learningIsDeterministicAndSurvivesJson() throws IOException {
        String text = "Über alles, 漢字 and emoji 🌊🌊 in ünïcödé text; numbers 12345 12345.\n".repeat(30);
        var a = BytePairEncoding.learn(wordCounts(text), 40);
        var b = BytePairEncoding.learn(wordCounts(text), 40);
        assertThat(a).isEqualTo(b);
        var restored = Json.read(Json.write(a), BytePairEncoding.class);
        assertThat(restored).isEqualTo(a);
        assertThat(restored.encode(text)).containsExactly(a.encode(text));
    }

    @Test
    void aMergeReferringToALaterTokenIsRejectedNamingIt() {
        assertThatThrownBy(() -> new BytePairEncoding(new int[][]{{'a', 'b'}, {'c', 300}}))
                .isInstanceOf(LmpipeException.class).hasMessageContaining("merge 1");
    }

    @Test
    void displayShowsSpacesLineEndsAndBytesThatAreNotText() {
        var bpe = new BytePairEncoding(new int[][]{{' ', 't'}, {0xE2, 0x82}});
        assertThat(bpe.display(256)).isEqualTo("␠t");
        assertThat(bpe.display('\n')).isEqualTo("\\n");
        assertThat(bpe.display(257)).isEqualTo("<0xE2><0x82>");
    }

    @Test
    void learningThousandsOfMergesFromABibleOfWordsFinishes() throws IOException {
        var counts = wordCounts(Files.readString(SharedData.file("kjv.txt")));
        var bpe = BytePairEncoding.learn(counts, 4000);
        // kjv has about 13,000 distinct words: merges run out of pairs seen twice before 4,000 only if the
        // incremental counts went wrong.
        assertThat(bpe.size()).isEqualTo(256 + 4000);
    }
}
