package dev.lmpipe.data;

import dev.lmpipe.storage.Storage;

/**
 * Names of tokenize's intermediate files for BPE inside the staged dataset directory: clean UTF-8 text per task
 * and split, then token ids per task and split. They are deleted before the dataset is committed. (The
 * character tokenizer has none: its reading pass writes the shards.)
 */
public final class Parts {
    public static final String DIRECTORY = "_parts";

    private Parts() {
    }

    public static String text(String dataset, int task, Split split) {
        return Storage.child(Storage.child(dataset, DIRECTORY), String.format("text-%05d-%s", task, split));
    }

    public static String tokens(String dataset, int task, Split split) {
        return Storage.child(Storage.child(dataset, DIRECTORY), String.format("tokens-%05d-%s", task, split));
    }
}
