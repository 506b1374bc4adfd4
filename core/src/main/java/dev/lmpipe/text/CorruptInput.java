package dev.lmpipe.text;

import java.util.List;

/**
 * What to do with an input that cannot be read to its end: a truncated or corrupt gzip or bzip2 stream, a file the
 * file system will not open or read, a dangling symbolic link, a folder that cannot be listed.
 */
public enum CorruptInput {
    /** Leave it out, naming it and the reason in the summary. */
    skip,
    /** Stop, naming the first such input and where it failed. */
    fail;

    /** Under {@code fail}, stops with the first of {@code unreadable} (in corpus order); otherwise does nothing. */
    public void judge(List<Unreadable> unreadable) {
        if (this == fail && !unreadable.isEmpty()) {
            throw unreadable.get(0).failure();
        }
    }
}
