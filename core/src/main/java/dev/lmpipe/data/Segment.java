package dev.lmpipe.data;

import java.io.Serializable;

/**
 * A run of one source's text or tokens for one split, stored contiguously in a task's part file or, for the
 * character tokenizer, in one of a task's shards. Segments end at file boundaries, so that a file left out after
 * the fact drops exactly its segments, and after about a million characters, so that a shard boundary never makes
 * a reader skip far into one.
 *
 * @param source     the source index
 * @param offset     byte offset in the source of the segment's first piece (orders segments of one source)
 * @param task       the task whose part file or shard holds it
 * @param shard      the number of the task's shard of this split that holds it ({@link CharShards#file}); -1 for
 *                   a part file
 * @param split      the split of its documents
 * @param start      first byte (text parts) or token (token parts, shards)
 * @param length     bytes (text parts) or tokens (token parts, shards)
 * @param characters characters of clean text it holds
 */
public record Segment(int source, long offset, int task, int shard, Split split, long start, long length, long characters)
        implements Serializable {

    /** A segment of a part file. */
    public Segment(int source, long offset, int task, Split split, long start, long length, long characters) {
        this(source, offset, task, -1, split, start, length, characters);
    }

    /** This segment followed by {@code length} more bytes or tokens holding {@code characters} more characters. */
    public Segment plus(long length, long characters) {
        return new Segment(source, offset, task, shard, split, start, this.length + length, this.characters + characters);
    }

    /** The shard file holding it; only for segments of shards. */
    public String shardFile() {
        return CharShards.file(split, task, shard);
    }
}
