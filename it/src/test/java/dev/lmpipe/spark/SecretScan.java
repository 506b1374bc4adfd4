package dev.lmpipe.spark;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipInputStream;

/**
 * Searches what a run wrote or printed for a secret, as bytes: in UTF-8, in UTF-16 of either byte order (Java's
 * strings in a heap dump), and as Kryo writes an ASCII string (the last byte's high bit set); inside gzip files
 * and zip entries too, whose compression would hide it; and in file and folder names. It counts what it read, per
 * place, so that a test can show that it looked at something.
 */
final class SecretScan {
    /**
     * What was read in one place: folders (their names), files, their bytes, and the bytes decompressed from gzip
     * files and zip entries.
     */
    record Tally(String place, long folders, long files, long bytes, long decompressedBytes) {
        @Override
        public String toString() {
            return String.format("%s: %d folder(s), %d file(s), %,d bytes (+%,d decompressed)", place, folders, files,
                    bytes, decompressedBytes);
        }
    }

    private static final byte[] GZIP = {0x1f, (byte) 0x8b};
    private static final byte[] ZIP = {'P', 'K', 3, 4};
    /** Archives inside archives are searched this deep (a model zip inside a checkpoint zip would be two). */
    private static final int MAX_DEPTH = 3;

    private final String secret;
    /** The secret's bytes in each form searched, by the form's name. */
    private final Map<String, byte[]> forms;
    private final List<Tally> tallies = new ArrayList<>();
    private final List<String> findings = new ArrayList<>();
    private long folders;
    private long files;
    private long bytes;
    private long decompressed;

    SecretScan(String secret) {
        this.secret = secret;
        byte[] kryo = secret.getBytes(StandardCharsets.US_ASCII);
        kryo[kryo.length - 1] |= (byte) 0x80;
        this.forms = Map.of("UTF-8", secret.getBytes(StandardCharsets.UTF_8),
                "UTF-16LE", secret.getBytes(StandardCharsets.UTF_16LE),
                "UTF-16BE", secret.getBytes(StandardCharsets.UTF_16BE), "Kryo ASCII", kryo);
    }

    /** Output that the test captured in memory (standard output, a job's progress). */
    void output(String place, byte[] content) {
        begin();
        files = 1;
        search(place, content, 0);
        end(place);
    }

    /**
     * Every regular file under {@code root} last modified at or after {@code since}, except under {@code skip}
     * (places searched on their own); folders and files that disappear while it walks (Spark deletes its
     * temporary files as it goes) are passed over.
     */
    void folder(String place, Path root, FileTime since, Set<Path> skip) {
        begin();
        try {
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attributes) {
                    if (!dir.equals(root) && skip.contains(dir)) {
                        return FileVisitResult.SKIP_SUBTREE;
                    }
                    name(dir);
                    folders++;
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) throws IOException {
                    if (attributes.isRegularFile() && attributes.lastModifiedTime().compareTo(since) >= 0) {
                        name(file);
                        try {
                            byte[] content = Files.readAllBytes(file);
                            files++;
                            search(file.toString(), content, 0);
                        } catch (NoSuchFileException gone) {
                            // deleted since it was listed
                        }
                    }
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
                    if (e instanceof NoSuchFileException) {
                        return FileVisitResult.CONTINUE;
                    }
                    throw e;
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException("cannot search " + root, e);
        }
        end(place);
    }

    /** Where the secret was found: a file (and entry) or output, and in which form; empty if nowhere. */
    List<String> findings() {
        return List.copyOf(findings);
    }

    List<Tally> tallies() {
        return List.copyOf(tallies);
    }

    Tally tally(String place) {
        return tallies.stream().filter(t -> t.place().equals(place)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("not searched: " + place));
    }

    long files() {
        return tallies.stream().mapToLong(Tally::files).sum();
    }

    long bytes() {
        return tallies.stream().mapToLong(Tally::bytes).sum();
    }

    String summary() {
        return tallies.stream().map(Tally::toString).collect(Collectors.joining("; ", "searched ", ""));
    }

    private void begin() {
        folders = 0;
        files = 0;
        bytes = 0;
        decompressed = 0;
    }

    private void end(String place) {
        tallies.add(new Tally(place, folders, files, bytes, decompressed));
    }

    private void name(Path path) {
        if (path.getFileName() != null && path.getFileName().toString().contains(secret)) {
            findings.add("the name of " + path);
        }
    }

    private void search(String where, byte[] content, int depth) {
        if (depth == 0) {
            bytes += content.length;
        } else {
            decompressed += content.length;
        }
        forms.forEach((form, pattern) -> {
            if (indexOf(content, pattern) >= 0) {
                findings.add(where + " (" + form + ")");
            }
        });
        if (depth >= MAX_DEPTH) {
            return;
        }
        try {
            if (startsWith(content, GZIP)) {
                try (var in = new GZIPInputStream(new ByteArrayInputStream(content))) {
                    search(where + " (gunzipped)", in.readAllBytes(), depth + 1);
                }
            } else if (startsWith(content, ZIP)) {
                try (var in = new ZipInputStream(new ByteArrayInputStream(content))) {
                    for (var entry = in.getNextEntry(); entry != null; entry = in.getNextEntry()) {
                        if (entry.getName().contains(secret)) {
                            findings.add("the name of " + where + "!" + entry.getName());
                        }
                        search(where + "!" + entry.getName(), in.readAllBytes(), depth + 1);
                    }
                }
            }
        } catch (IOException truncated) {
            // A file still being written (a log, an in-progress event log) can end mid-archive: its raw bytes
            // were searched above.
        }
    }

    private static boolean startsWith(byte[] content, byte[] magic) {
        return content.length >= magic.length && Arrays.equals(content, 0, magic.length, magic, 0, magic.length);
    }

    private static int indexOf(byte[] content, byte[] form) {
        outer:
        for (int i = 0; i <= content.length - form.length; i++) {
            for (int j = 0; j < form.length; j++) {
                if (content[i + j] != form[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
