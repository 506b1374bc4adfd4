package dev.lmpipe.storage;

import java.io.Serializable;

/**
 * A directory being written: beside its final path under a hidden temporary name where renames are atomic
 * ({@link #commit} renames it into place, then writes {@code _SUCCESS}), or in place on object stores
 * ({@link #commit} writes {@code _SUCCESS}, the last file). {@link #abort} deletes what was written. Readers that
 * require {@code _SUCCESS} never see a half-written directory.
 */
public final class StagedDirectory implements Serializable, AutoCloseable {
    private static final long serialVersionUID = 1L;
    public static final String SUCCESS = "_SUCCESS";

    private final Storage storage;
    private final String staging;
    private final String target;
    private boolean committed;

    StagedDirectory(Storage storage, String staging, String target) {
        this.storage = storage;
        this.staging = staging;
        this.target = target;
    }

    /** Where to write the files now. */
    public String path() {
        return staging;
    }

    /** Where the files appear after commit. */
    public String target() {
        return target;
    }

    public String file(String name) {
        return Storage.child(staging, name);
    }

    public void commit() {
        if (!staging.equals(target)) {
            storage.replace(staging, target);
        }
        storage.writeAll(Storage.child(target, SUCCESS), new byte[0]);
        committed = true;
    }

    public void abort() {
        if (!committed && storage.exists(staging)) {
            storage.delete(staging);
        }
    }

    /** Aborts unless committed, so that try-with-resources cleans up after a failure. */
    @Override
    public void close() {
        abort();
    }
}
