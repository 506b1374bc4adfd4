package dev.lmpipe.text;

import java.io.Serializable;

/**
 * One input file of a corpus.
 *
 * @param path   the qualified path, as the file system lists it
 * @param name   the path relative to the input it was found under (a folder), or the file name: what identifies
 *               the file's documents when they are assigned to splits, so that moving a corpus keeps its splits
 * @param length size in bytes (compressed size for compressed files)
 */
public record Source(String path, String name, long length) implements Serializable {
    /** Plain files can be read in byte ranges; compressed ones only whole (bzip2 splitting is not used). */
    public boolean compressed() {
        return path.endsWith(".gz") || path.endsWith(".bz2");
    }
}
