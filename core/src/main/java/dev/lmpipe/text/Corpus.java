package dev.lmpipe.text;

import dev.lmpipe.LmpipeException;
import dev.lmpipe.storage.Storage;
import org.apache.hadoop.fs.FileStatus;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.zip.GZIPInputStream;

/**
 * The input side of tokenize: expanding the user's paths, globs and folders to source files, and reading
 * one source as code points. Folders contribute their {@code .txt} and {@code .gz} files, recursively,
 * skipping hidden ones; files named explicitly are read whatever their extension.
 */
public final class Corpus {
    private Corpus() {
    }

    /** Source files in a stable order (sorted, without duplicates); fails naming the input that gave none. */
    public static List<String> expand(Storage storage, List<String> inputs) {
        var sources = new TreeSet<String>();
        for (String input : inputs) {
            List<FileStatus> matches = storage.glob(input);
            if (matches.isEmpty()) {
                throw new LmpipeException("input not found: " + input);
            }
            var found = new TreeSet<String>();
            for (FileStatus match : matches) {
                if (match.isDirectory()) {
                    addTextFiles(storage, match.getPath().toString(), found);
                } else {
                    found.add(match.getPath().toString());
                }
            }
            if (found.isEmpty()) {
                throw new LmpipeException("no text files (.txt or .gz) under " + input);
            }
            sources.addAll(found);
        }
        return List.copyOf(sources);
    }

    private static void addTextFiles(Storage storage, String directory, TreeSet<String> sources) {
        for (FileStatus status : storage.list(directory)) {
            String name = status.getPath().getName();
            if (name.startsWith(".") || name.startsWith("_")) {
                continue;
            }
            if (status.isDirectory()) {
                addTextFiles(storage, status.getPath().toString(), sources);
            } else if (name.endsWith(".txt") || name.endsWith(".gz")) {
                sources.add(status.getPath().toString());
            }
        }
    }

    /** The bytes of a source, gunzipped if its name ends in {@code .gz}. */
    public static byte[] readBytes(Storage storage, String source) {
        try (InputStream raw = storage.open(source);
             InputStream in = source.endsWith(".gz") ? new GZIPInputStream(raw) : raw) {
            return in.readAllBytes();
        } catch (java.util.zip.ZipException e) {
            throw new LmpipeException(source + " is not a valid gzip file: " + e.getMessage());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + source, e);
        }
    }

    /** Reads and decodes one source. */
    public static Utf8.Decoded read(Storage storage, String source, InvalidUtf8 policy) {
        return Utf8.decode(readBytes(storage, source), source, policy);
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
