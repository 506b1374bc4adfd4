package dev.lmpipe.text;

import dev.lmpipe.LmpipeException;
import dev.lmpipe.storage.Storage;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.Path;

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
 *
 * <p>Entries that cannot be read are listed apart, for the {@code corrupt} setting to judge ({@link CorruptInput}):
 * a dangling symbolic link whose name a folder's selection takes, a folder that cannot be listed, and a folder that
 * a glob matched beside other matches but that holds no selected file. An input that gives no file at all stops the
 * run whatever that setting says, as a missing path always did: it is a mistake in the command, not one bad file
 * among many.
 */
public final class Corpus {
    private Corpus() {
    }

    /**
     * What the inputs hold.
     *
     * @param sources    the files to read, in a stable order (sorted by path, without duplicates)
     * @param unreadable entries that cannot be read, sorted by path
     */
    public record Listing(List<Source> sources, List<Unreadable> unreadable) {
    }

    /** Source file paths in a stable order (sorted, without duplicates); fails naming the input that gave none. */
    public static List<String> expand(Storage storage, List<String> inputs, FileSelection selection) {
        return list(storage, inputs, selection).sources().stream().map(Source::path).toList();
    }

    /**
     * The source files, each with its name relative to the input it was found under, and the entries that cannot be
     * read; fails naming the input that gave no file.
     */
    public static Listing list(Storage storage, List<String> inputs, FileSelection selection) {
        var sources = new TreeMap<String, Source>();
        var unreadable = new TreeMap<String, Unreadable>();
        for (String input : inputs) {
            List<FileStatus> matches = storage.glob(input);
            if (matches.isEmpty()) {
                throw new LmpipeException("input not found: " + input + danglingTarget(storage, input));
            }
            var found = new TreeMap<String, Source>();
            var lost = new TreeMap<String, Unreadable>();
            var foldersWithoutFiles = new ArrayList<String>();
            for (FileStatus match : matches) {
                if (!match.isDirectory()) {
                    add(match, match.getPath().getName(), found);
                    continue;
                }
                int before = found.size();
                addSelected(storage, match.getPath().toString(), "", selection, found, lost);
                if (found.size() == before) {
                    foldersWithoutFiles.add(match.getPath().toString());
                }
            }
            if (found.isEmpty()) {
                throw nothingUnder(input, selection, List.copyOf(lost.values()));
            }
            for (String folder : foldersWithoutFiles) {
                lost.putIfAbsent(folder, new Unreadable(folder, "a folder that " + input + " matched, holding no file that "
                        + selection.describe() + " selects"));
            }
            found.forEach(sources::putIfAbsent);
            lost.forEach(unreadable::putIfAbsent);
        }
        return new Listing(List.copyOf(sources.values()), List.copyOf(unreadable.values()));
    }

    private static LmpipeException nothingUnder(String input, FileSelection selection, List<Unreadable> lost) {
        if (lost.isEmpty()) {
            return new LmpipeException("no files under " + input + " match " + selection.describe()
                    + " (hidden and _ names are skipped); to read other files, give --include PATTERN or set include");
        }
        Unreadable first = lost.get(0);
        return new LmpipeException("nothing readable under " + input + ": " + first.path() + ": " + first.reason()
                + (lost.size() > 1 ? " (and " + (lost.size() - 1) + " more)" : ""));
    }

    /** For an input that names a dangling symbolic link, where it points, for the message; otherwise nothing. */
    private static String danglingTarget(Storage storage, String input) {
        var path = new Path(storage.qualify(input));
        if (path.getParent() == null) {
            return "";
        }
        try {
            for (Storage.DanglingLink link : storage.danglingLinks(path.getParent().toString())) {
                if (Storage.name(link.path()).equals(path.getName())) {
                    return " (a symbolic link to " + link.target() + ", which does not exist)";
                }
            }
        } catch (UncheckedIOException e) {
            // the folder is missing too: "not found" says it all
        }
        return "";
    }

    private static void add(FileStatus status, String name, Map<String, Source> sources) {
        String path = status.getPath().toString();
        sources.put(path, new Source(path, name, status.getLen()));
    }

    private static void addSelected(Storage storage, String directory, String prefix, FileSelection selection,
                                    Map<String, Source> sources, Map<String, Unreadable> unreadable) {
        List<FileStatus> entries;
        try {
            entries = storage.list(directory);
        } catch (UncheckedIOException e) {
            unreadable.put(directory, new Unreadable(directory, "cannot list folder: " + Unreadable.detail(e.getCause())));
            return;
        }
        for (FileStatus status : entries) {
            String name = status.getPath().getName();
            if (hidden(name)) {
                continue;
            }
            if (status.isDirectory()) {
                addSelected(storage, status.getPath().toString(), prefix + name + "/", selection, sources, unreadable);
            } else if (selection.selects(prefix + name)) {
                add(status, prefix + name, sources);
            }
        }
        for (Storage.DanglingLink link : storage.danglingLinks(directory)) {
            String name = Storage.name(link.path());
            if (!hidden(name) && selection.selects(prefix + name)) {
                unreadable.put(link.path(), new Unreadable(link.path(), "dangling symbolic link to " + link.target()));
            }
        }
    }

    /** Hidden and {@code _} names: version control, editors' files, Hadoop's and Spark's markers. */
    private static boolean hidden(String name) {
        return name.startsWith(".") || name.startsWith("_");
    }

    /**
     * Opens a source at byte {@code position} (0 for compressed files, which are read whole): gzip through the
     * JDK, bzip2 through Hadoop's block reader ({@link Bzip2Range}). Fails with the file system's exception, the
     * JDK's for a bad gzip header, or {@link Bzip2Range.Corrupt}: {@link Unreadable#opening} says which, in words.
     */
    public static InputStream open(Storage storage, Source source, long position) throws IOException {
        if (source.gzip()) {
            FSDataInputStream file = storage.openChecked(source.path(), 0);
            try {
                return new GZIPInputStream(file, 1 << 16);
            } catch (IOException | RuntimeException e) {
                file.close();
                throw e;
            }
        }
        if (source.bzip2()) {
            return openBzip2(storage, source, 0, Long.MAX_VALUE);
        }
        return storage.openChecked(source.path(), position);
    }

    /**
     * The text that bytes {@code [start, end)} of a bzip2 source own ({@code 0, Long.MAX_VALUE}: the whole file).
     * Not through BZip2Codec's stream: it fails on reads into a buffer at an offset past the first block
     * ("offs + len > dest.length", hadoop-common 3.3.4, BZip2CompressionInputStream.read). The range that reaches the
     * end of the file also checks that the file ends a bzip2 stream: a file cut between two blocks decodes without
     * complaint.
     */
    public static Bzip2Range openBzip2(Storage storage, Source source, long start, long end) throws IOException {
        FSDataInputStream file = storage.openChecked(source.path(), start);
        Bzip2Range range;
        try {
            range = new Bzip2Range(file, start, end);
        } catch (IOException | RuntimeException e) {
            file.close();
            throw e;
        }
        if (end >= source.length() && !Bzip2Range.endsWithEndOfStream(trailer(storage, source))) {
            range.close();
            throw new Bzip2Range.Corrupt("truncated bzip2 stream: the file does not end with an end-of-stream marker");
        }
        return range;
    }

    /** The last bytes of a bzip2 file, where its end-of-stream marker belongs. */
    private static byte[] trailer(Storage storage, Source source) throws IOException {
        var trailer = new byte[(int) Math.min(Bzip2Range.TRAILER_BYTES, source.length())];
        try (FSDataInputStream in = storage.openChecked(source.path(), 0)) {
            in.readFully(source.length() - trailer.length, trailer);
        }
        return trailer;
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
