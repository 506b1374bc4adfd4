package dev.lmpipe.data;

import java.io.Serializable;

/**
 * One minibatch as planned on the driver: for each of its windows, the shard (index into the manifest's
 * train shards) and the token offset where the window starts. Small, so Spark ships it cheaply; executors
 * turn it into a {@code DataSet} by reading only those windows.
 */
public record MinibatchSpec(int[] shards, long[] starts) implements Serializable {
    public int size() {
        return starts.length;
    }
}
