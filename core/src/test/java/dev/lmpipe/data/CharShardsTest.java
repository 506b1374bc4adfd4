package dev.lmpipe.data;

import dev.lmpipe.storage.Storage;
import dev.lmpipe.text.Vocabulary;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

class CharShardsTest {
    @TempDir
    Path dir;

    private final Storage storage = new Storage();

    /** Where a run of text went, as the placement callback reported it. */
    record Run(Split split, int shard, long start, long tokens) {
    }

    /** Appends each split's text in random pieces, interleaving the splits; returns the runs reported. */
    private List<Run> append(CharShards shards, Map<Split, String> texts, long seed) {
        var random = new Random(seed);
        var runs = new ArrayList<Run>();
        var at = new EnumMap<Split, Integer>(Split.class);
        texts.keySet().forEach(split -> at.put(split, 0));
        while (at.entrySet().stream().anyMatch(e -> e.getValue() < texts.get(e.getKey()).length())) {
            Split split = Split.values()[random.nextInt(Split.values().length)];
            String text = texts.get(split);
            int from = at.getOrDefault(split, 0);
            if (text == null || from == text.length()) {
                continue;
            }
            int to = Math.min(text.length(), from + 1 + random.nextInt(700));
            if (Character.isHighSurrogate(text.charAt(to - 1)) && to < text.length()) {
                to++;
            }
            String piece = text.substring(from, to);
            byte[] utf8 = piece.getBytes(StandardCharsets.UTF_8);
            byte[] padded = new byte[utf8.length + 7]; // the writer must not read past length
            System.arraycopy(utf8, 0, padded, 0, utf8.length);
            padded[utf8.length] = (byte) 0xF0;
            shards.append(split, padded, utf8.length, piece.codePointCount(0, piece.length()),
                    (shard, start, tokens) -> runs.add(new Run(split, shard, start, tokens)));
            at.put(split, to);
        }
        shards.close();
        return runs;
    }

    /** The text a shard holds, through its code table. */
    private String decode(CharShards.Written shard) throws IOException {
        byte[] bytes = Files.readAllBytes(dir.resolve(shard.file()));
        assertThat(bytes.length).isEqualTo(shard.bytes());
        assertThat(Shards.crc32c(bytes)).isEqualTo(shard.crc32c());
        var text = new StringBuilder();
        for (int k = Shards.HEADER_BYTES; k < bytes.length; k += shard.width()) {
            int code = shard.width() == 1 ? bytes[k] & 0xFF : (bytes[k] & 0xFF) | (bytes[k + 1] & 0xFF) << 8;
            text.appendCodePoint(shard.symbols()[code]);
        }
        return text.toString();
    }

    /** Each split's shards, in file-name order (the manifest's order), decoded and joined. */
    private Map<Split, String> joined(List<CharShards.Written> written) throws IOException {
        var texts = new EnumMap<Split, String>(Split.class);
        var sorted = written.stream().sorted(java.util.Comparator.comparing(CharShards.Written::file)).toList();
        for (var shard : sorted) {
            texts.merge(shard.split(), decode(shard), String::concat);
        }
        return texts;
    }

    private static String randomText(Random random, int length, String[] words) {
        var text = new StringBuilder();
        while (text.length() < length) {
            text.append(words[random.nextInt(words.length)]).append(random.nextInt(9) == 0 ? '\n' : ' ');
        }
        return text.toString();
    }

    @Test
    void shardsHoldEachSplitsTextInOrderOneBytePerCharacter() throws IOException {
        var random = new Random(3);
        String[] words = {"ship", "Wind", "Ωμέγα", "日本語", "🌊", "log", "\t"};
        var texts = new EnumMap<Split, String>(Split.class);
        texts.put(Split.train, randomText(random, 20_000, words));
        texts.put(Split.validation, randomText(random, 3_000, words));
        var shards = new CharShards(storage, dir.toString(), 7, 1_000);

        List<Run> runs = append(shards, texts, 1);

        assertThat(joined(shards.written())).isEqualTo(texts);
        assertThat(shards.written()).allSatisfy(shard -> {
            assertThat(shard.width()).isEqualTo(1);
            assertThat(shard.tokens()).isBetween(1L, 1_000L);
            assertThat(shard.bytes()).isEqualTo(Shards.HEADER_BYTES + shard.tokens());
            assertThat(shard.file()).startsWith(shard.split() + "-00007-");
        });
        // every shard but each split's last is full
        assertThat(shards.written().stream().filter(s -> s.tokens() < 1_000)).hasSize(2);
        // the runs reported tile every shard, in order, without gaps
        var next = new HashMap<String, Long>();
        for (Run run : runs) {
            String file = CharShards.file(run.split(), 7, run.shard());
            assertThat(run.start()).isEqualTo(next.getOrDefault(file, 0L));
            next.put(file, run.start() + run.tokens());
        }
        for (var shard : shards.written()) {
            assertThat(next.get(shard.file())).isEqualTo(shard.tokens());
        }
    }

    @Test
    void plainAsciiIsItsOwnCode() throws IOException {
        var texts = new EnumMap<Split, String>(Split.class);
        texts.put(Split.train, "plain ASCII, then Ωμέγα, then ASCII again");
        var shards = new CharShards(storage, dir.toString(), 0, 1_000);
        append(shards, texts, 6);
        CharShards.Written shard = shards.written().get(0);

        byte[] bytes = Files.readAllBytes(dir.resolve(shard.file()));
        assertThat(new String(bytes, Shards.HEADER_BYTES, 12, StandardCharsets.US_ASCII)).isEqualTo("plain ASCII,");
        assertThat(shard.symbols()).hasSize(CharShards.ASCII + 5).startsWith(0, 1, 2).endsWith("Ωμέγα".codePoints().toArray());
        assertThat(decode(shard)).isEqualTo(texts.get(Split.train));
    }

    @Test
    void theHundredTwentyNinthCharacterOutsideAsciiSwitchesToTwoByteCodes() throws IOException {
        var text = new StringBuilder();
        for (int k = 0; k < 3; k++) {
            for (int cp = 0x400; cp < 0x400 + 300; cp++) { // 300 distinct letters, three times
                text.appendCodePoint(cp);
            }
        }
        var texts = new EnumMap<Split, String>(Split.class);
        texts.put(Split.train, text.toString());
        texts.put(Split.test, "abc");
        var shards = new CharShards(storage, dir.toString(), 0, 10_000);

        append(shards, texts, 2);

        assertThat(joined(shards.written())).isEqualTo(texts);
        var train = shards.written().stream().filter(s -> s.split() == Split.train).toList();
        assertThat(train).extracting(CharShards.Written::width).containsExactly(1, 2);
        assertThat(train.get(0).tokens()).isEqualTo(128);
        assertThat(train.get(0).symbols()).hasSize(256);
        assertThat(train.get(1).symbols()).hasSize(CharShards.ASCII + 300);
    }

    @Test
    void moreDistinctCharactersThanTwoBytesHoldStartANewTable() throws IOException {
        var text = new StringBuilder();
        for (int cp = 0x10000; cp < 0x10000 + CharShards.MAX_CODES + 500; cp++) {
            text.appendCodePoint(cp);
        }
        text.append("ab\u0410");
        var texts = new EnumMap<Split, String>(Split.class);
        texts.put(Split.train, text.toString());
        var shards = new CharShards(storage, dir.toString(), 0, 1_000_000);

        append(shards, texts, 3);

        assertThat(joined(shards.written())).isEqualTo(texts);
        assertThat(shards.written()).extracting(CharShards.Written::width).containsExactly(1, 2, 2);
        assertThat(shards.written()).extracting(CharShards.Written::tokens)
                .containsExactly(128L, (long) CharShards.MAX_CODES - 2 * CharShards.ASCII, 3L + 500 + CharShards.ASCII);
        // the new table: ASCII, then the 628 code points left and U+0410
        assertThat(shards.written().get(2).symbols()).hasSize(CharShards.ASCII + 500 + CharShards.ASCII + 1);
    }

    @Test
    void rewriteKeepsOnlyTheSegmentsGiven() throws IOException {
        var texts = new EnumMap<Split, String>(Split.class);
        texts.put(Split.train, "first file. second file, left out. third file.");
        var shards = new CharShards(storage, dir.toString(), 4, 1_000);
        append(shards, texts, 4);
        CharShards.Written shard = shards.written().get(0);
        var kept = List.of(new Segment(0, 0, 4, 0, Split.train, 0, 12, 12), new Segment(2, 0, 4, 0, Split.train, 35, 11, 11));

        CharShards.Written rewritten = CharShards.rewrite(storage, dir.toString(), new CharShards.Repair(shard, kept));

        assertThat(decode(rewritten)).isEqualTo("first file. third file.");
        assertThat(rewritten.file()).isEqualTo("train-00004-00000-kept.shard");
        assertThat(rewritten.tokens()).isEqualTo(23);
        assertThat(Files.exists(dir.resolve(shard.file()))).isFalse();
        assertThat(CharShards.rewrite(storage, dir.toString(), new CharShards.Repair(rewritten, List.of()))).isNull();
        assertThat(Files.exists(dir.resolve(rewritten.file()))).isFalse();
    }

    @Test
    void theManifestEntryMapsCodesToTheVocabularysIdsAndCountsUnknowns() {
        var texts = new EnumMap<Split, String>(Split.class);
        texts.put(Split.train, "abracadabra, zebra! ça");
        var shards = new CharShards(storage, dir.toString(), 0, 1_000);
        append(shards, texts, 5);
        CharShards.Written shard = shards.written().get(0);
        var counts = dev.lmpipe.text.Corpus.count(texts.get(Split.train).codePoints().toArray());
        var vocabulary = new Vocabulary("abcdr ç".codePoints().sorted().toArray());

        ShardInfo entry = shard.describe(vocabulary);

        assertThat(Shards.read(storage, dir.toString(), entry)).containsExactly(vocabulary.encode(texts.get(Split.train)));
        assertThat(Shards.readRange(storage, dir.toString(), entry, 4, 6)).containsExactly(vocabulary.encode("cadabr"));
        assertThat(shard.mayHoldUnknown(vocabulary, counts)).isTrue();
        assertThat(CharShards.unknownTokens(storage, dir.toString(), entry)).isEqualTo(4); // "," "z" "e" "!"
        // the table's ASCII codes that the corpus never uses do not count: a vocabulary of every character used
        var everything = Vocabulary.build(counts, 1, 1024);
        assertThat(shard.mayHoldUnknown(everything, counts)).isFalse();
        assertThat(CharShards.unknownTokens(storage, dir.toString(), shard.describe(everything))).isZero();
    }
}
