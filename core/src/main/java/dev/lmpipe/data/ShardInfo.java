package dev.lmpipe.data;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * One shard as the manifest lists it.
 *
 * @param file   file name relative to the dataset directory
 * @param split  which split its tokens belong to
 * @param tokens number of tokens in it
 * @param bytes  file size in bytes, header included
 * @param crc32c CRC-32C of the whole file, hex
 * @param codes  for shards of format 2 ({@link CharShards}): the vocabulary id of every code the shard holds;
 *               absent for format 1, whose shards hold the ids themselves
 */
public record ShardInfo(String file, Split split, long tokens, long bytes, String crc32c,
                        @JsonInclude(JsonInclude.Include.NON_NULL) int[] codes) implements java.io.Serializable {

    @JsonCreator
    public ShardInfo {
    }

    /** A shard of token ids (format 1). */
    public ShardInfo(String file, Split split, long tokens, long bytes, String crc32c) {
        this(file, split, tokens, bytes, crc32c, null);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof ShardInfo that && file.equals(that.file) && split == that.split && tokens == that.tokens
                && bytes == that.bytes && crc32c.equals(that.crc32c) && java.util.Arrays.equals(codes, that.codes);
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(file, split, tokens, bytes, crc32c, java.util.Arrays.hashCode(codes));
    }

    @Override
    public String toString() {
        return "ShardInfo[" + file + ", " + split + ", " + tokens + " tokens, " + bytes + " bytes, crc32c " + crc32c
                + (codes == null ? "" : ", " + codes.length + " codes") + "]";
    }

    /** Bytes per token in the file. */
    @JsonIgnore
    public int width() {
        return tokens == 0 ? Shards.TOKEN_BYTES : (int) ((bytes - Shards.HEADER_BYTES) / tokens);
    }
}
