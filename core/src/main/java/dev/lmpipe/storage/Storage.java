package dev.lmpipe.storage;

import dev.lmpipe.LmpipeException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileContext;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Options;
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
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Files on any Hadoop file system (file://, hdfs://, s3a://), addressed by URI strings. Serializable so that
 * Spark executors can read shards and write outputs through the same object, with the same Hadoop settings
 * (for example {@code fs.s3a.endpoint}); credentials come from Hadoop's and AWS's standard providers
 * (environment, configuration, instance roles) and are never printed: {@link #toString} names no setting.
 * The Hadoop {@link Configuration} is built once per JVM and per set of settings and shared, never modified:
 * Spark deserializes a {@code Storage} in every task, and parsing Hadoop's XML defaults each time showed in
 * profiles of tokenize with hundreds of tasks.
 * <p>
 * Object stores (s3a and its kin) have no atomic rename: there {@link #stage} writes in place and the commit is
 * the file written last ({@code _SUCCESS}, after the manifest), and {@link #writeAtomically} is a single PUT.
 */
public final class Storage implements Serializable {
    private static final long serialVersionUID = 1L;
    /** Schemes of object stores, where a rename is a copy and a directory is a key prefix. */
    private static final Set<String> OBJECT_STORES = Set.of("s3a", "s3", "s3n", "gs", "oss", "cosn", "obs");

    private static final Map<Map<String, String>, Configuration> CONFIGURATIONS = new ConcurrentHashMap<>();

    private final TreeMap<String, String> settings;

    /** Hadoop's defaults (and whatever core-site.xml the classpath holds). */
    public Storage() {
        this(Map.of());
    }

    /** Hadoop's defaults with these settings on top, e.g. {@code fs.s3a.endpoint}. */
    public Storage(Map<String, String> settings) {
        this.settings = new TreeMap<>(settings);
    }

    /**
     * The Hadoop settings of a Spark configuration: its {@code spark.hadoop.*} entries without the prefix, as
     * Spark itself gives them to Hadoop.
     */
    public static Storage fromSparkSettings(Iterable<Map.Entry<String, String>> sparkSettings) {
        var hadoop = new TreeMap<String, String>();
        for (var entry : sparkSettings) {
            if (entry.getKey().startsWith("spark.hadoop.")) {
                hadoop.put(entry.getKey().substring("spark.hadoop.".length()), entry.getValue());
            }
        }
        return new Storage(hadoop);
    }

    private Configuration configuration() {
        return CONFIGURATIONS.computeIfAbsent(settings, s -> {
            var configuration = new Configuration();
            s.forEach(configuration::set);
            return configuration;
        });
    }

    @Override
    public String toString() {
        return "Storage(" + settings.size() + " Hadoop setting(s))";
    }

    /** Whether renaming under this path is atomic (local, HDFS), or a copy (object stores). */
    public boolean atomicRename(String path) {
        String scheme = new Path(path).toUri().getScheme();
        return scheme == null || !OBJECT_STORES.contains(scheme.toLowerCase(java.util.Locale.ROOT));
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
            return openChecked(path, position);
        } catch (FileNotFoundException e) {
            throw new LmpipeException("file not found: " + path);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open " + path, e);
        }
    }

    /**
     * Opens a file for reading from byte {@code position}, failing with the file system's own exception: for callers
     * that judge each file's failure themselves (tokenize leaves an unreadable input out, naming it). A local file
     * without read permission fails with a {@link FileNotFoundException} saying "Permission denied".
     */
    public FSDataInputStream openChecked(String path, long position) throws IOException {
        FSDataInputStream in = readerOf(path).open(new Path(path));
        if (position > 0) {
            in.seek(position);
        }
        return in;
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
        // Read-modify-replace keeps the file whole on every file system, including those without append.
        var existing = exists(path) ? readAll(path) : new byte[0];
        var buffer = new ByteArrayOutputStream(existing.length + bytes.length);
        buffer.writeBytes(existing);
        buffer.writeBytes(bytes);
        writeAtomically(path, buffer.toByteArray());
    }

    /**
     * Writes a small file so that readers see either the old content or the new, never a part or nothing: on
     * file systems with atomic rename a temporary file renamed over the old one; on object stores one PUT, which
     * becomes visible whole when it completes. Used for pointers ({@code latest}) and appended logs.
     */
    public void writeAtomically(String path, byte[] bytes) {
        if (!atomicRename(path)) {
            try (OutputStream out = fileSystem(path).create(new Path(path), true)) {
                out.write(bytes);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write " + path, e);
            }
            return;
        }
        String temp = child(parent(path), "." + name(path) + ".tmp-" + UUID.randomUUID());
        writeAll(temp, bytes);
        try {
            FileSystem fs = fileSystem(path);
            if (fs instanceof LocalFileSystem || fs instanceof RawLocalFileSystem) {
                Files.move(Paths.get(fs.makeQualified(new Path(temp)).toUri()),
                        Paths.get(fs.makeQualified(new Path(path)).toUri()),
                        StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } else {
                FileContext.getFileContext(fs.getUri(), configuration())
                        .rename(new Path(temp), new Path(path), Options.Rename.OVERWRITE);
            }
        } catch (IOException e) {
            delete(temp);
            throw new UncheckedIOException("cannot replace " + path, e);
        }
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

    /** A symbolic link whose target does not exist: its qualified path, and the target as the link states it. */
    public record DanglingLink(String path, String target) {
    }

    /**
     * The symbolic links directly under a directory whose target does not exist, sorted by path: {@link #list} and
     * {@link #glob} leave them out without a word, as Hadoop's local file system does. Found with java.nio on
     * {@code file://}; none elsewhere (HDFS has symbolic links turned off by default, object stores have none).
     */
    public List<DanglingLink> danglingLinks(String directory) {
        FileSystem fs = fileSystem(directory);
        if (!(fs instanceof LocalFileSystem || fs instanceof RawLocalFileSystem)) {
            return List.of();
        }
        Path qualified = fs.makeQualified(new Path(directory));
        var dangling = new ArrayList<DanglingLink>();
        try (var entries = Files.newDirectoryStream(Paths.get(qualified.toUri()))) {
            for (java.nio.file.Path entry : entries) {
                if (Files.isSymbolicLink(entry) && !Files.exists(entry)) {
                    String path = new Path(qualified, entry.getFileName().toString()).toString();
                    dangling.add(new DanglingLink(path, Files.readSymbolicLink(entry).toString()));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + directory, e);
        }
        dangling.sort(java.util.Comparator.comparing(DanglingLink::path));
        return dangling;
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
     * Starts writing a directory that becomes complete at {@code target} only on {@link StagedDirectory#commit}.
     * An existing target is refused unless {@code overwrite}. With atomic rename the files are written beside
     * the target under a hidden name and an existing target is replaced only at commit time; on object stores
     * they are written in place (an existing target is deleted first) and the commit is {@code _SUCCESS},
     * written last: readers refuse a directory without it.
     */
    public StagedDirectory stage(String target, boolean overwrite) {
        String qualified = qualify(target);
        if (exists(qualified) && !overwrite) {
            String incomplete = exists(child(qualified, StagedDirectory.SUCCESS)) ? ""
                    : " (incomplete: no " + StagedDirectory.SUCCESS + "; a run died writing it)";
            throw new LmpipeException("output path " + target + " already exists" + incomplete
                    + "; choose another path or pass --overwrite");
        }
        if (!atomicRename(qualified)) {
            if (exists(qualified)) {
                delete(qualified);
            }
            mkdirs(qualified);
            return new StagedDirectory(this, qualified, qualified);
        }
        String parent = parent(qualified);
        String staging = child(parent, "." + name(qualified) + ".tmp-" + UUID.randomUUID());
        mkdirs(staging);
        return new StagedDirectory(this, staging, qualified);
    }
}
