package dev.lmpipe.data;

import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The driver plans an epoch of a corpus of any size in memory that grows with its shards, not its windows: a manifest
 * describing 20 GB of text (no data needed) is planned and its first, middle and last rounds computed.
 */
class WindowPlanMemoryTest {
    private static final long BUDGET_BYTES = 64L << 20;

    @Test
    void planningAnEpochOfTwentyGigabytesAllocatesUnder64Megabytes() {
        // 20 GiB of one-byte tokens in shards of 8 M tokens, tokenize's default: 2,560 shards, 335 M windows of 64.
        long shardTokens = 8_000_000;
        var shards = new ArrayList<ShardInfo>();
        for (long tokens = 0; tokens < 20L << 30; tokens += shardTokens) {
            shards.add(new ShardInfo(String.format("train-%05d.shard", shards.size()), Split.train, shardTokens,
                    Shards.HEADER_BYTES + shardTokens, "00000000", new int[]{0, 1, 2}));
        }
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long thread = Thread.currentThread().getId();
        long before = threads.getThreadAllocatedBytes(thread);

        var plan = WindowPlan.epoch(List.copyOf(shards), 64, 32, 42, 1);
        long rounds = plan.rounds(10);
        var first = plan.round(0, 10);
        var middle = plan.round(rounds / 2, 10);
        var last = plan.round(rounds - 1, 10);

        long allocated = threads.getThreadAllocatedBytes(thread) - before;
        assertThat(plan.windows()).isGreaterThan(330_000_000L);
        assertThat(first).hasSize(10);
        assertThat(middle).hasSize(10);
        assertThat(last).isNotEmpty();
        assertThat(allocated).as("bytes allocated planning the epoch").isLessThan(BUDGET_BYTES);
    }
}
