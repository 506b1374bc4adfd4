package dev.lmpipe.data;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ShardPlanTest {
    private static Segment segment(int source, Split split, long characters) {
        return new Segment(source, 0, 0, split, 0, characters, characters);
    }

    @Test
    void eachSplitIsCutIntoFullShardsInCorpusOrderWithTheRestInTheLast() {
        var segments = List.of(segment(0, Split.train, 70), segment(1, Split.validation, 30), segment(2, Split.train, 50));

        var shards = ShardPlan.plan(segments, 40, Segment::characters);

        assertThat(shards).extracting(ShardPlan.Shard::file)
                .containsExactly("train-00000.shard", "train-00001.shard", "train-00002.shard", "validation-00000.shard");
        assertThat(shards).extracting(ShardPlan.Shard::tokens).containsExactly(40L, 40L, 40L, 30L);
        // The second train shard ends source 0 and begins source 2: a shard may join and cut segments.
        assertThat(shards.get(1).slices()).containsExactly(
                new ShardPlan.Slice(segments.get(0), 40, 30), new ShardPlan.Slice(segments.get(2), 0, 10));
        assertThat(shards.get(2).slices()).containsExactly(new ShardPlan.Slice(segments.get(2), 10, 40));
    }

    @Test
    void aSplitWithoutSegmentsHasNoShards() {
        var shards = ShardPlan.plan(List.of(segment(0, Split.train, 5)), 40, Segment::characters);
        assertThat(shards).extracting(ShardPlan.Shard::split).containsExactly(Split.train);
    }
}
