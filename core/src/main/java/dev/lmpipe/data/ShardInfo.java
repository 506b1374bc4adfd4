package dev.lmpipe.data;

/**
 * One shard as the manifest lists it.
 *
 * @param file   file name relative to the dataset directory
 * @param split  which split its tokens belong to
 * @param tokens number of token ids in it
 * @param bytes  file size in bytes, header included
 * @param crc32c CRC-32C of the whole file, hex
 */
public record ShardInfo(String file, Split split, long tokens, long bytes, String crc32c) implements java.io.Serializable {
}
