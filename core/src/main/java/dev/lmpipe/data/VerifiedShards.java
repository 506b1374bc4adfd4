package dev.lmpipe.data;

import dev.lmpipe.LmpipeException;
import dev.lmpipe.storage.Storage;
import org.apache.hadoop.fs.FileStatus;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.zip.CRC32C;

/**
 * Shard verification where and when a shard is read, not at every job's start: the first read of a shard in a JVM
 * checks the whole file's size and CRC-32C against the manifest's entry, later reads of the same shard in that JVM
 * trust it. A damaged shard is so caught, with its name, before any of its tokens reaches a model, and a job's start
 * costs one listing of the dataset folder ({@link #checkSizes}) instead of a read of the whole dataset.
 *
 * <p>The record of verified shards is per JVM (an executor, or the driver in local mode), keyed by the shard's path,
 * size and checksum: it is a cache of facts about immutable files, never of a job's state.
 */
public final class VerifiedShards {
    private static final int BUFFER_BYTES = 1 << 20;
    private static final Set<String> VERIFIED = ConcurrentHashMap.newKeySet();

    private VerifiedShards() {
    }

    /** Verifies {@code shard} unless this JVM already has; fails naming the shard if it is not what the manifest says. */
    public static void ensure(Storage storage, String directory, ShardInfo shard) {
        String path = Storage.child(directory, shard.file());
        String key = path + "#" + shard.bytes() + "#" + shard.crc32c();
        if (VERIFIED.contains(key)) {
            return;
        }
        var crc = new CRC32C();
        long size = 0;
        byte[] buffer = new byte[BUFFER_BYTES];
        try (InputStream in = storage.open(path)) {
            for (int n; (n = in.read(buffer)) > 0; size += n) {
                crc.update(buffer, 0, n);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read shard " + path, e);
        }
        Shards.check(path, size, Shards.hex(crc), shard);
        VERIFIED.add(key);
    }

    /**
     * Checks, with one listing of the dataset folder, that every shard is there with the size its manifest entry
     * gives: a missing or truncated shard stops a job at its start rather than hours into it.
     */
    public static void checkSizes(Storage storage, String directory, List<ShardInfo> shards) {
        Map<String, FileStatus> files = storage.list(directory).stream()
                .collect(Collectors.toMap(status -> status.getPath().getName(), Function.identity(), (a, b) -> a));
        for (ShardInfo shard : shards) {
            FileStatus status = files.get(shard.file());
            String path = Storage.child(directory, shard.file());
            if (status == null || status.isDirectory()) {
                throw new LmpipeException("shard " + path + " is missing; the dataset is incomplete, re-run tokenize");
            }
            if (status.getLen() != shard.bytes()) {
                Shards.check(path, status.getLen(), shard.crc32c(), shard);
            }
        }
    }
}
