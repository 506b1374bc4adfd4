package dev.lmpipe.data;

import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class EvaluationSampleTest {
    /** Uneven shards, one with no prediction at all (a single token) and one empty. */
    private static final List<ShardInfo> SHARDS = List.of(shard(0, 1_000), shard(1, 1), shard(2, 0), shard(3, 250),
            shard(4, 10_001));

    private static ShardInfo shard(int n, long tokens) {
        return new ShardInfo(String.format("validation-%05d.shard", n), Split.validation, tokens, 16 + tokens, "0");
    }

    @Test
    void withoutABoundEverySliceIsTakenAndTogetherTheyCoverEveryPredictionOnce() {
        var sample = EvaluationSample.of(SHARDS, 100);
        var slices = sample.slices(0);
        assertThat(sample.predictions()).isEqualTo(999 + 249 + 10_000);
        assertThat(slices.stream().mapToLong(EvaluationSample.Slice::predictions).sum()).isEqualTo(sample.predictions());
        for (int s = 0; s < SHARDS.size(); s++) {
            int shard = s;
            var ofShard = slices.stream().filter(slice -> slice.shard() == shard).toList();
            long expected = Math.max(0, SHARDS.get(s).tokens() - 1);
            for (int i = 0; i < ofShard.size(); i++) {
                // Consecutive, from the shard's first token to its last.
                assertThat(ofShard.get(i).from()).isEqualTo(i * 100L);
                assertThat(ofShard.get(i).to()).isEqualTo(Math.min((i + 1) * 100L, expected));
            }
        }
        assertThat(sample.slices(sample.predictions())).isEqualTo(slices);
    }

    @Test
    void aBoundTakesAboutThatManyCharactersSpreadOverTheWholeSplit() {
        var sample = EvaluationSample.of(SHARDS, 100);
        var slices = sample.slices(2_000);
        assertThat(slices).hasSize(20);
        assertThat(new HashSet<>(slices)).hasSameSizeAs(slices);
        long predictions = slices.stream().mapToLong(EvaluationSample.Slice::predictions).sum();
        assertThat(predictions).isBetween(1_900L, 2_000L);
        // Evenly spaced: the first shard and the last both contribute, the first slice is the split's first.
        assertThat(slices.get(0)).isEqualTo(new EvaluationSample.Slice(0, 0, 100));
        assertThat(slices.stream().map(EvaluationSample.Slice::shard).distinct()).contains(0, 3, 4);
        assertThat(slices.get(slices.size() - 1).shard()).isEqualTo(4);
    }

    @Test
    void theSampleIsTheSameEveryTime() {
        assertThat(EvaluationSample.of(SHARDS, 64).slices(1_234))
                .isEqualTo(EvaluationSample.of(SHARDS, 64).slices(1_234));
    }

    @Test
    void aSplitWithNothingToPredictHasNoSlice() {
        assertThat(EvaluationSample.of(List.of(shard(0, 1), shard(1, 0)), 100).slices(0)).isEmpty();
        assertThat(EvaluationSample.of(List.of(), 100).slices(10)).isEmpty();
    }
}
