package dev.lmpipe.data;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class WindowPlanTest {
    private static final int SEQ_LEN = 16;
    private static final int BATCH = 4;
    private static final long SEED = 42;
    /** Uneven shard sizes, one too small for any window. */
    private static final List<ShardInfo> SHARDS = List.of(
            shard(0, 1_000), shard(1, 333), shard(2, 10), shard(3, 517));

    private static ShardInfo shard(int n, long tokens) {
        return new ShardInfo(String.format("train-%05d.shard", n), Split.train, tokens, 16 + 2 * tokens, "00000000");
    }

    /** All windows of a plan as (shard, start) pairs, in plan order. */
    private static List<List<Long>> windows(WindowPlan plan) {
        var windows = new ArrayList<List<Long>>();
        for (long index = 0; index < plan.minibatches(); index++) {
            MinibatchSpec spec = plan.minibatch(index);
            assertThat(spec.size()).isEqualTo(BATCH);
            for (int i = 0; i < spec.size(); i++) {
                windows.add(List.of((long) spec.shards()[i], spec.starts()[i]));
            }
        }
        return windows;
    }

    /** Windows of seqLen + 1 tokens stepping by seqLen from {@code offset}, over all shards. */
    private static int windowCount(long offset) {
        int count = 0;
        for (ShardInfo shard : SHARDS) {
            for (long start = offset; start + SEQ_LEN + 1 <= shard.tokens(); start += SEQ_LEN) {
                count++;
            }
        }
        return count;
    }

    @Test
    void sameSeedAndEpochGiveTheSamePlan() {
        for (int epoch = 0; epoch < 3; epoch++) {
            assertThat(windows(WindowPlan.epoch(SHARDS, SEQ_LEN, BATCH, SEED, epoch)))
                    .isEqualTo(windows(WindowPlan.epoch(SHARDS, SEQ_LEN, BATCH, SEED, epoch)));
        }
    }

    @Test
    void differentEpochsGiveDifferentOrders() {
        var epoch1 = windows(WindowPlan.epoch(SHARDS, SEQ_LEN, BATCH, SEED, 1));
        var epoch2 = windows(WindowPlan.epoch(SHARDS, SEQ_LEN, BATCH, SEED, 2));
        var epoch0 = windows(WindowPlan.epoch(SHARDS, SEQ_LEN, BATCH, SEED, 0));
        assertThat(epoch1).isNotEqualTo(epoch2).isNotEqualTo(epoch0);
        // Also the shuffle, not just the offset: the shard sequence differs.
        assertThat(epoch1.stream().map(w -> w.get(0)).toList()).isNotEqualTo(epoch2.stream().map(w -> w.get(0)).toList());
        assertThat(windows(WindowPlan.epoch(SHARDS, SEQ_LEN, BATCH, SEED + 1, 1))).isNotEqualTo(epoch1);
    }

    @Test
    void everyWindowFitsInsideItsShard() {
        for (int epoch = 0; epoch < 5; epoch++) {
            for (var window : windows(WindowPlan.epoch(SHARDS, SEQ_LEN, BATCH, SEED, epoch))) {
                long tokens = SHARDS.get(window.get(0).intValue()).tokens();
                assertThat(window.get(1)).isNotNegative();
                assertThat(window.get(1) + SEQ_LEN + 1).as("window %s", window).isLessThanOrEqualTo(tokens);
            }
        }
    }

    @Test
    void noWindowIsUsedTwiceInAnEpochAndAllStartsShareTheEpochOffset() {
        for (int epoch = 0; epoch < 5; epoch++) {
            var windows = windows(WindowPlan.epoch(SHARDS, SEQ_LEN, BATCH, SEED, epoch));
            assertThat(new HashSet<>(windows)).hasSameSizeAs(windows);
            long offset = windows.get(0).get(1) % SEQ_LEN;
            assertThat(windows).allSatisfy(w -> assertThat(w.get(1) % SEQ_LEN).isEqualTo(offset));
            if (epoch == 0) {
                assertThat(offset).isZero();
            }
        }
    }

    @Test
    void minibatchCountIsWholeBatchesOfAllWindows() {
        for (int epoch = 0; epoch < 5; epoch++) {
            var plan = WindowPlan.epoch(SHARDS, SEQ_LEN, BATCH, SEED, epoch);
            long offset = plan.minibatch(0).starts()[0] % SEQ_LEN;
            // epoch 0: 62 + 20 + 0 + 32 = 114 windows → 28 minibatches, 2 windows dropped.
            assertThat(plan.windows()).isEqualTo(windowCount(offset));
            assertThat(plan.minibatches()).isEqualTo(windowCount(offset) / BATCH);
        }
        assertThat(WindowPlan.epoch(SHARDS, SEQ_LEN, BATCH, SEED, 0).minibatches()).isEqualTo(28);
    }

    @Test
    void everyWindowOfTheEpochIsVisitedExactlyOnce() {
        for (int epoch = 0; epoch < 5; epoch++) {
            // Batch 1 drops no window: the plan's windows are all the epoch's windows, each once.
            var plan = WindowPlan.epoch(SHARDS, SEQ_LEN, 1, SEED, epoch);
            var visited = windows1(plan);
            long offset = visited.get(0).get(1) % SEQ_LEN;
            var expected = new HashSet<List<Long>>();
            for (int shard = 0; shard < SHARDS.size(); shard++) {
                for (long start = offset; start + SEQ_LEN + 1 <= SHARDS.get(shard).tokens(); start += SEQ_LEN) {
                    expected.add(List.of((long) shard, start));
                }
            }
            assertThat(visited).hasSize(expected.size());
            assertThat(new HashSet<>(visited)).isEqualTo(expected);
        }
    }

    @Test
    void theOrderIsShuffledNotTheShardOrder() {
        var visited = windows1(WindowPlan.epoch(SHARDS, SEQ_LEN, 1, SEED, 0));
        var sorted = new ArrayList<>(visited);
        sorted.sort(java.util.Comparator.<List<Long>>comparingLong(w -> w.get(0)).thenComparingLong(w -> w.get(1)));
        assertThat(visited).isNotEqualTo(sorted);
        // The first 20 visited windows come from more than one shard.
        assertThat(visited.subList(0, 20).stream().map(w -> w.get(0)).distinct().count()).isGreaterThan(1);
    }

    private static List<List<Long>> windows1(WindowPlan plan) {
        var windows = new ArrayList<List<Long>>();
        for (long index = 0; index < plan.minibatches(); index++) {
            MinibatchSpec spec = plan.minibatch(index);
            windows.add(List.of((long) spec.shards()[0], spec.starts()[0]));
        }
        return windows;
    }

    @Test
    void shardsTooSmallForOneWindowGiveNoMinibatches() {
        assertThat(WindowPlan.epoch(List.of(shard(0, SEQ_LEN)), SEQ_LEN, 1, SEED, 0).minibatches()).isZero();
        assertThat(WindowPlan.epoch(List.of(shard(0, SEQ_LEN + 1)), SEQ_LEN, 1, SEED, 0).minibatches()).isEqualTo(1);
        assertThat(WindowPlan.epoch(List.of(), SEQ_LEN, 1, SEED, 0).rounds(5)).isZero();
    }

    @Test
    void roundsPartitionMinibatchesInOrderWithAShortLastRound() {
        var plan = WindowPlan.epoch(SHARDS, SEQ_LEN, BATCH, SEED, 0); // 28 minibatches
        assertThat(plan.rounds(5)).isEqualTo(6);
        var rounds = new ArrayList<List<MinibatchSpec>>();
        for (long round = 0; round < plan.rounds(5); round++) {
            rounds.add(plan.round(round, 5));
        }
        assertThat(rounds.subList(0, 5)).allSatisfy(r -> assertThat(r).hasSize(5));
        assertThat(rounds.get(5)).hasSize(3);
        var inRounds = rounds.stream().flatMap(List::stream).map(WindowPlanTest::pairs).toList();
        var inOrder = new ArrayList<List<List<Long>>>();
        for (long index = 0; index < plan.minibatches(); index++) {
            inOrder.add(pairs(plan.minibatch(index)));
        }
        assertThat(inRounds).isEqualTo(inOrder);
        assertThat(plan.rounds(7)).isEqualTo(4);
        assertThat(plan.round(3, 7)).hasSize(7);
    }

    /** A resumed run recomputes its epoch's plan: a round computed by a fresh plan is the same round. */
    @Test
    void aRoundComputedAfreshEqualsTheSameRoundOfAnEarlierPlan() {
        var first = WindowPlan.epoch(SHARDS, SEQ_LEN, BATCH, SEED, 3);
        var again = WindowPlan.epoch(SHARDS, SEQ_LEN, BATCH, SEED, 3);
        for (long round = 0; round < first.rounds(5); round++) {
            assertThat(again.round(round, 5).stream().map(WindowPlanTest::pairs).toList())
                    .isEqualTo(first.round(round, 5).stream().map(WindowPlanTest::pairs).toList());
        }
    }

    private static List<List<Long>> pairs(MinibatchSpec spec) {
        var pairs = new ArrayList<List<Long>>();
        for (int i = 0; i < spec.size(); i++) {
            pairs.add(List.of((long) spec.shards()[i], spec.starts()[i]));
        }
        return pairs;
    }
}
