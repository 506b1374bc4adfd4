package dev.lmpipe.storage;

import dev.lmpipe.LmpipeException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.apache.hadoop.fs.Path;

import java.io.ByteArrayOutputStream;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Files on any Hadoop file system (file://, hdfs://, s3a://), addressed by URI strings. Serializable so that
 * Spark executors can read shards and write outputs through the same object; the Hadoop
 * {@link Configuration} is built once per JVM from the system defaults and shared, never modified: Spark
 * deserializes a {@code Storage} in every task, and parsing Hadoop's XML defaults each time showed in profiles of
 * tokenize with hundreds of tasks.
 */
public final class Storage implements Serializable {
    private static final long serialVersionUID = 1L;

    private static volatile Configuration shared;

    public Storage() {
    }

    private static Configuration configuration() {
        Configuration configuration = shared;
        if (configuration == null) {
            synchronized (Storage.class) {
                if (shared == null) {
                    shared = new Configuration();
                }
                configuration = shared;
            }
        }
        return configuration;
    }

    /** The file system of a path; local file systems do not write Hadoop's ".crc" side files. */
    public FileSystem fileSystem(String path) {
        try {
            FileSystem fs = new Path(path).getFileSystem(configuration());
            fs.setWriteChecksum(false);
            return fs;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the file system of " + path, e);
        }
    }

    /** The absolute, scheme-qualified form of a path, so that every executor resolves it alike. */
    public String qualify(String path) {
        Path p = new Path(path);
        return fileSystem(path).makeQualified(p).toString();
    }

    public boolean exists(String path) {
        try {
            return fileSystem(path).exists(new Path(path));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The file system to read a path with: on {@code file://} the raw local one, past Hadoop's checksum layer,
     * which reads in 512-byte chunks and has no {@code .crc} files to check here (this class writes none).
     */
    private FileSystem readerOf(String path) {
        FileSystem fs = fileSystem(path);
        return fs instanceof LocalFileSystem local ? local.getRaw() : fs;
    }

    public InputStream open(String path) {
        return openAt(path, 0);
    }

    /** Opens a file for reading from byte {@code position}. */
    public FSDataInputStream openAt(String path, long position) {
        try {
            FSDataInputStream in = readerOf(path).open(new Path(path));
            if (position > 0) {
                in.seek(position);
            }
            return in;
        } catch (FileNotFoundException e) {
            throw new LmpipeException("file not found: " + path);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open " + path, e);
        }
    }

    /**
     * Fills each buffer from its position in one file, opening the file once (Hadoop's positioned reads,
     * which move no stream): the training step reads many short windows of the same shard.
     */
    public void readFully(String path, long[] positions, byte[][] buffers) {
        try (var in = readerOf(path).open(new Path(path))) {
            for (int i = 0; i < positions.length; i++) {
                in.readFully(positions[i], buffers[i]);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + positions.length + " ranges of " + path, e);
        }
    }

    /** Fills {@code buffer[0, length)} from {@code position} of a file, with a positioned read. */
    public void readFully(String path, long position, byte[] buffer, int length) {
        try (var in = readerOf(path).open(new Path(path))) {
            in.readFully(position, buffer, 0, length);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + length + " bytes at " + position + " of " + path, e);
        }
    }

    /**
     * Creates a new file; fails if it already exists. On {@code file://} the file is created with java.nio:
     * without Hadoop's native library, its local file system runs {@code chmod} in a new process for every file
     * it creates, which showed in profiles of tokenize writing hundreds of shards.
     */
    public OutputStream create(String path) {
        try {
            FileSystem fs = fileSystem(path);
            if (fs instanceof LocalFileSystem || fs instanceof RawLocalFileSystem) {
                java.nio.file.Path local = Paths.get(fs.makeQualified(new Path(path)).toUri());
                Files.createDirectories(local.getParent());
                return Files.newOutputStream(local, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            }
            return fs.create(new Path(path), false);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + path, e);
        }
    }

    public byte[] readAll(String path) {
        try (InputStream in = open(path)) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + path, e);
        }
    }

    public void writeAll(String path, byte[] bytes) {
        try (OutputStream out = create(path)) {
            out.write(bytes);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + path, e);
        }
    }

    /** Appends to a file, creating it when absent (used for metrics.jsonl, one line per epoch). */
    public void append(String path, byte[] bytes) {
        // Read-modify-rename keeps the file whole on every file system, including those without append.
        var existing = exists(path) ? readAll(path) : new byte[0];
        var buffer = new ByteArrayOutputStream(existing.length + bytes.length);
        buffer.writeBytes(existing);
        buffer.writeBytes(bytes);
        String temp = path + ".tmp-" + UUID.randomUUID();
        writeAll(temp, buffer.toByteArray());
        replace(temp, path);
    }

    /** Paths of the files directly under a directory, sorted by name. */
    public List<FileStatus> list(String directory) {
        try {
            var result = new ArrayList<>(List.of(fileSystem(directory).listStatus(new Path(directory))));
            result.sort(null);
            return result;
        } catch (FileNotFoundException e) {
            throw new LmpipeException("directory not found: " + directory);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + directory, e);
        }
    }

    /** Expands a glob (or a plain path) to the matching paths; an empty list when nothing matches. */
    public List<FileStatus> glob(String pattern) {
        try {
            FileStatus[] found = fileSystem(pattern).globStatus(new Path(pattern));
            var result = new ArrayList<FileStatus>();
            if (found != null) {
                result.addAll(List.of(found));
            }
            result.sort(null);
            return result;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot expand " + pattern, e);
        }
    }

    public void mkdirs(String directory) {
        try {
            fileSystem(directory).mkdirs(new Path(directory));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create directory " + directory, e);
        }
    }

    public void delete(String path) {
        try {
            fileSystem(path).delete(new Path(path), true);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + path, e);
        }
    }

    public void rename(String from, String to) {
        try {
            if (!fileSystem(from).rename(new Path(from), new Path(to))) {
                throw new IOException("rename returned false");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot rename " + from + " to " + to, e);
        }
    }

    /** Moves {@code from} over {@code to}, replacing a file or directory that is there. */
    public void replace(String from, String to) {
        if (!exists(to)) {
            rename(from, to);
            return;
        }
        String aside = to + ".old-" + UUID.randomUUID();
        rename(to, aside);
        rename(from, to);
        delete(aside);
    }

    /** A child path of a directory. */
    public static String child(String directory, String name) {
        return new Path(directory, name).toString();
    }

    public static String name(String path) {
        return new Path(path).getName();
    }

    public static String parent(String path) {
        return new Path(path).getParent().toString();
    }

    /**
     * Starts writing a directory that becomes visible at {@code target} only on {@link StagedDirectory#commit}.
     * An existing target is refused unless {@code overwrite}, and then replaced only at commit time.
     */
    public StagedDirectory stage(String target, boolean overwrite) {
        String qualified = qualify(target);
        if (exists(qualified) && !overwrite) {
            throw new LmpipeException("output path " + target + " already exists; choose another path or pass --overwrite");
        }
        String parent = parent(qualified);
        String staging = child(parent, "." + name(qualified) + ".tmp-" + UUID.randomUUID());
        mkdirs(staging);
        return new StagedDirectory(this, staging, qualified);
    }
}
