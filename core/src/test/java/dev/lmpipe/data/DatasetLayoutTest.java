package dev.lmpipe.data;

import dev.lmpipe.LmpipeException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DatasetLayoutTest {
    /** Three sources of uneven lengths; with 100-character blocks: 10 + 26 + 7 = 43 blocks, three of them short. */
    private static final long[] SOURCES = {1_000, 2_550, 640};
    private static final int BLOCK = 100;
    private static final int BLOCKS = 43;

    private static DatasetLayout plan(long seed) {
        return DatasetLayout.plan(SOURCES, BLOCK, 0.1, 0.2, seed, 350);
    }

    private static List<DatasetLayout.Block> all(DatasetLayout layout, int sources) {
        var blocks = new ArrayList<DatasetLayout.Block>();
        for (int s = 0; s < sources; s++) {
            blocks.addAll(Arrays.asList(layout.blocks(s)));
        }
        return blocks;
    }

    private static List<Split> splits(DatasetLayout layout) {
        return all(layout, SOURCES.length).stream().map(DatasetLayout.Block::split).toList();
    }

    @Test
    void sameSeedGivesIdenticalSplitAssignment() {
        assertThat(all(plan(7), SOURCES.length)).isEqualTo(all(plan(7), SOURCES.length));
    }

    @Test
    void differentSeedGivesDifferentSplitAssignment() {
        assertThat(splits(plan(7))).isNotEqualTo(splits(plan(8)));
    }

    @Test
    void everyBlockAppearsExactlyOnceCoveringEachSourceContiguously() {
        var layout = plan(7);
        var seen = new HashSet<List<Integer>>();
        for (int s = 0; s < SOURCES.length; s++) {
            long next = 0;
            var blocks = layout.blocks(s);
            for (int i = 0; i < blocks.length; i++) {
                var block = blocks[i];
                assertThat(block.source()).isEqualTo(s);
                assertThat(block.index()).isEqualTo(i);
                assertThat(block.start()).isEqualTo(next);
                assertThat(block.length()).isBetween(1, BLOCK);
                assertThat(seen.add(List.of(s, i))).isTrue();
                next += block.length();
            }
            assertThat(next).isEqualTo(SOURCES[s]);
        }
        assertThat(seen).hasSize(BLOCKS);
        long total = Arrays.stream(SOURCES).sum();
        assertThat(layout.splitTokens().values().stream().mapToLong(Long::longValue).sum()).isEqualTo(total);
    }

    @ParameterizedTest(name = "validation {0}, test {1}")
    @CsvSource({"0.1, 0.2, 4, 9", "0.05, 0.05, 2, 2", "0.001, 0.0, 1, 0", "0.5, 0.3, 22, 13"})
    void splitBlockCountsAreRoundedFractionsOfAtLeastOne(double validation, double test, int expectedValidation,
                                                         int expectedTest) {
        // round(43 × 0.1) = 4, round(43 × 0.2) = 9; 43 × 0.05 = 2.15 → 2; 43 × 0.001 rounds to 0, kept at 1;
        // 43 × 0.5 = 21.5 → 22, 43 × 0.3 = 12.9 → 13.
        var layout = DatasetLayout.plan(SOURCES, BLOCK, validation, test, 3, 10_000);
        var counts = new TreeMap<Split, Integer>();
        all(layout, SOURCES.length).forEach(b -> counts.merge(b.split(), 1, Integer::sum));

        assertThat(counts.getOrDefault(Split.validation, 0)).isEqualTo(expectedValidation);
        assertThat(counts.getOrDefault(Split.test, 0)).isEqualTo(expectedTest);
        assertThat(counts.get(Split.train)).isEqualTo(BLOCKS - expectedValidation - expectedTest);
    }

    @Test
    void shardsHoldOneSplitNeverExceedShardTokensAndKeepCorpusOrder() {
        long shardTokens = 350;
        var layout = DatasetLayout.plan(SOURCES, BLOCK, 0.1, 0.2, 11, shardTokens);
        var byShard = new TreeMap<Integer, List<DatasetLayout.Block>>();
        for (var block : all(layout, SOURCES.length)) { // corpus order: source, then index
            byShard.computeIfAbsent(block.shard(), k -> new ArrayList<>()).add(block);
        }

        assertThat(byShard.keySet()).containsExactlyElementsOf(
                java.util.stream.IntStream.range(0, layout.shardCount()).boxed().toList());
        var perSplit = new TreeMap<Split, Integer>();
        for (var entry : byShard.entrySet()) {
            var blocks = entry.getValue();
            Split split = layout.shardSplit(entry.getKey());
            assertThat(blocks).allSatisfy(b -> assertThat(b.split()).isEqualTo(split));
            long tokens = blocks.stream().mapToLong(DatasetLayout.Block::length).sum();
            if (blocks.size() > 1) {
                assertThat(tokens).isLessThanOrEqualTo(shardTokens);
            }
            assertThat(layout.shardFile(entry.getKey()))
                    .isEqualTo(String.format("%s-%05d.shard", split, perSplit.getOrDefault(split, 0)));
            perSplit.merge(split, 1, Integer::sum);
        }
        // Packing is greedy in corpus order, so a split's shards, in shard order, list its blocks in corpus order.
        for (Split split : Split.values()) {
            var inShardOrder = byShard.values().stream().flatMap(List::stream).filter(b -> b.split() == split)
                    .map(b -> List.of(b.source(), b.index())).toList();
            var inCorpusOrder = all(layout, SOURCES.length).stream().filter(b -> b.split() == split)
                    .map(b -> List.of(b.source(), b.index())).toList();
            assertThat(inShardOrder).isEqualTo(inCorpusOrder);
        }
        // 43 blocks of ≤ 100 into shards of 350: at least ceil(blocks per split / 3) shards each.
        assertThat(layout.shardCount()).isGreaterThanOrEqualTo(10);
    }

    @Test
    void aBlockLargerThanShardTokensGetsAShardOfItsOwn() {
        var layout = DatasetLayout.plan(new long[]{1_000}, 300, 0.25, 0.0, 1, 200);
        var blocks = layout.blocks(0);
        assertThat(blocks).extracting(DatasetLayout.Block::shard).doesNotHaveDuplicates();
        assertThat(layout.shardCount()).isEqualTo(blocks.length);
    }

    @Test
    void tooFewBlocksToSplitIsAUserError() {
        assertThatThrownBy(() -> DatasetLayout.plan(new long[]{150}, 100, 0.05, 0.05, 1, 1_000))
                .isInstanceOf(LmpipeException.class)
                .hasMessageContaining("2 block(s)")
                .hasMessageContaining("blockChars");
        assertThatThrownBy(() -> DatasetLayout.plan(new long[]{0}, 100, 0.0, 0.0, 1, 1_000))
                .isInstanceOf(LmpipeException.class);
    }

    @Test
    void splitTokensSumBlockLengthsPerSplit() {
        var layout = plan(5);
        var expected = new TreeMap<Split, Long>();
        for (Split split : Split.values()) {
            expected.put(split, 0L);
        }
        all(layout, SOURCES.length).forEach(b -> expected.merge(b.split(), (long) b.length(), Long::sum));
        assertThat(layout.splitTokens()).isEqualTo(Map.copyOf(expected));
    }
}
