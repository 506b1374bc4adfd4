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
    public boolean compressed() {
        return gzip() || bzip2();
    }

    public boolean gzip() {
        return path.endsWith(".gz");
    }

    public boolean bzip2() {
        return path.endsWith(".bz2");
    }

    /**
     * Whether tasks can share the file in byte ranges: plain files, and bzip2 files (by their blocks) unless
     * documents are records, whose blank-line boundaries a bzip2 range cannot see; gzip only whole.
     */
    public boolean splittable(Documents documents) {
        return !compressed() || (bzip2() && documents != Documents.records);
    }
}
