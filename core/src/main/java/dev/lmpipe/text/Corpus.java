package dev.lmpipe.text;

import dev.lmpipe.LmpipeException;
import dev.lmpipe.storage.Storage;
import org.apache.hadoop.fs.FileStatus;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.GZIPInputStream;

/**
 * The input side of tokenize: expanding the user's paths, globs and folders to source files, and reading
 * one source as code points. Folders contribute the files that a {@link FileSelection} selects, recursively,
 * skipping hidden and {@code _} names (with their folders); files named explicitly, by a path or a glob, are
 * read whatever their name, even if an exclude pattern matches it: the user asked for that file.
 * Whether a file is compressed goes by its extension ({@code .gz}, {@code .bz2}), whichever pattern took it.
 */
public final class Corpus {
    private Corpus() {
    }

    /** Source file paths in a stable order (sorted, without duplicates); fails naming the input that gave none. */
    public static List<String> expand(Storage storage, List<String> inputs, FileSelection selection) {
        return sources(storage, inputs, selection).stream().map(Source::path).toList();
    }

    /**
     * Source files in a stable order (sorted by path, without duplicates), each with its name relative to
     * the input it was found under; fails naming the input that gave none.
     */
    public static List<Source> sources(Storage storage, List<String> inputs, FileSelection selection) {
        var sources = new TreeMap<String, Source>();
        for (String input : inputs) {
            List<FileStatus> matches = storage.glob(input);
            if (matches.isEmpty()) {
                throw new LmpipeException("input not found: " + input);
            }
            var found = new TreeMap<String, Source>();
            for (FileStatus match : matches) {
                if (match.isDirectory()) {
                    addSelected(storage, match.getPath().toString(), "", selection, found);
                } else {
                    add(match, match.getPath().getName(), found);
                }
            }
            if (found.isEmpty()) {
                throw new LmpipeException("no files under " + input + " match " + selection.describe()
                        + " (hidden and _ names are skipped); to read other files, give --include PATTERN or set include");
            }
            found.forEach(sources::putIfAbsent);
        }
        return List.copyOf(sources.values());
    }

    private static void add(FileStatus status, String name, Map<String, Source> sources) {
        String path = status.getPath().toString();
        sources.put(path, new Source(path, name, status.getLen()));
    }

    private static void addSelected(Storage storage, String directory, String prefix, FileSelection selection,
                                    Map<String, Source> sources) {
        for (FileStatus status : storage.list(directory)) {
            String name = status.getPath().getName();
            if (name.startsWith(".") || name.startsWith("_")) {
                continue;
            }
            if (status.isDirectory()) {
                addSelected(storage, status.getPath().toString(), prefix + name + "/", selection, sources);
            } else if (selection.selects(prefix + name)) {
                add(status, prefix + name, sources);
            }
        }
    }

    /**
     * Opens a source at byte {@code position} (0 for compressed files, which are read whole): gzip through the
     * JDK, bzip2 through Hadoop's block reader ({@link Bzip2Range}).
     */
    public static InputStream open(Storage storage, Source source, long position) {
        String path = source.path();
        try {
            if (path.endsWith(".gz")) {
                return new GZIPInputStream(storage.open(path), 1 << 16);
            }
            if (source.bzip2()) {
                return openBzip2(storage, source, 0, Long.MAX_VALUE);
            }
            return storage.openAt(path, position);
        } catch (java.util.zip.ZipException e) {
            throw new LmpipeException(path + " is not a valid gzip file: " + e.getMessage());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + path, e);
        }
    }

    /**
     * The text that bytes {@code [start, end)} of a bzip2 source own ({@code 0, Long.MAX_VALUE}: the whole file).
     * Not through BZip2Codec's stream: it fails on reads into a buffer at an offset past the first block
     * ("offs + len > dest.length", hadoop-common 3.3.4, BZip2CompressionInputStream.read).
     */
    public static Bzip2Range openBzip2(Storage storage, Source source, long start, long end) {
        try {
            return new Bzip2Range(storage.openAt(source.path(), start), start, end);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + source.path() + " as bzip2 from byte " + start, e);
        }
    }

    /** Occurrences of each code point. */
    public static java.util.Map<Integer, Long> count(int[] codePoints) {
        var counts = new java.util.HashMap<Integer, Long>();
        for (int cp : codePoints) {
            counts.merge(cp, 1L, Long::sum);
        }
        return counts;
    }

    /** Merges code point counts into {@code into}. */
    public static java.util.Map<Integer, Long> merge(java.util.Map<Integer, Long> into, java.util.Map<Integer, Long> other) {
        other.forEach((cp, n) -> into.merge(cp, n, Long::sum));
        return into;
    }

    /** Names for error messages: at most {@code limit} sources. */
    public static String describe(List<String> sources, int limit) {
        var shown = new ArrayList<>(sources.subList(0, Math.min(limit, sources.size())));
        if (sources.size() > limit) {
            shown.add("and " + (sources.size() - limit) + " more");
        }
        return String.join(", ", shown);
    }
}
