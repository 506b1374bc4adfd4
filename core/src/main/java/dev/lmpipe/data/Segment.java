package dev.lmpipe.data;

import java.io.Serializable;

/**
 * A run of one source's text (or tokens) for one split, stored contiguously in a task's part file. Segments end
 * at file boundaries, so that a file left out after the fact drops exactly its segments, and after about a
 * million characters, so that a shard boundary never makes a reader skip far into one.
 *
 * @param source     the source index
 * @param offset     byte offset in the source of the segment's first piece (orders segments of one source)
 * @param task       the task whose part file holds it
 * @param split      the split of its documents
 * @param start      first byte (text parts) or token (token parts) in the part file
 * @param length     bytes (text parts) or tokens (token parts)
 * @param characters characters of clean text it holds
 */
public record Segment(int source, long offset, int task, Split split, long start, long length, long characters)
        implements Serializable {
}
