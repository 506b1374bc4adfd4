package dev.lmpipe.data;

import dev.lmpipe.LmpipeException;
import dev.lmpipe.config.ConfigLoader;
import dev.lmpipe.storage.Storage;
import dev.lmpipe.text.Corpus;
import dev.lmpipe.text.ReadPlan;
import dev.lmpipe.text.Source;
import dev.lmpipe.text.TokenizerKind;
import org.apache.hadoop.io.compress.bzip2.CBZip2OutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The reading pass without Spark: tasks run one after the other on real files, then the driver's judgement. A file
 * that cannot be read to its end is left out whole, named with what went wrong and where, whichever task saw it;
 * under {@code corrupt = fail} the first stops the run.
 */
class ReadOutcomeTest {
    private final Storage storage = new Storage();

    @TempDir
    Path dir;

    /** Tasks of {@code splitBytes} over the inputs, run in turn, and their outcome as the driver puts it together. */
    private ReadOutcome read(long splitBytes, String corrupt, Path... inputs) {
        var config = ConfigLoader.load(TokenizeConfig.class, TokenizeConfig.DEFAULTS, null, List.of(
                "input=" + String.join(",", Arrays.stream(inputs).map(Path::toString).toList()),
                "output=" + dir.resolve("dataset"), "splitBytes=" + splitBytes, "corrupt=" + corrupt,
                "documents=files", "validationFraction=0", "testFraction=0"));
        Corpus.Listing listing = Corpus.list(storage, config.input(), config.selection());
        var settings = ReadTask.Settings.of(config, TokenizerKind.character, 4096);
        List<List<ReadPlan.Range>> plan = ReadPlan.plan(listing.sources(), splitBytes, config.documents());
        var results = new ArrayList<ReadTask.Result>();
        for (int task = 0; task < plan.size(); task++) {
            results.add(ReadTask.run(storage, listing.sources(), plan.get(task), task, config.output(), settings));
        }
        return ReadOutcome.combine(results, listing, settings);
    }

    private static String words(int seed, int length) {
        var random = new Random(seed);
        String[] words = {"ship", "wind", "Ωμέγα", "north", "\n"};
        var text = new StringBuilder();
        while (text.length() < length) {
            text.append(words[random.nextInt(words.length)]).append(' ');
        }
        return text.toString();
    }

    private Path write(String name, byte[] bytes) throws IOException {
        return Files.write(dir.resolve(name), bytes);
    }

    private static byte[] gzip(String text) throws IOException {
        var out = new ByteArrayOutputStream();
        try (var gz = new GZIPOutputStream(out)) {
            gz.write(text.getBytes(StandardCharsets.UTF_8));
        }
        return out.toByteArray();
    }

    /** bzip2 with blocks of 100 KB of text, so that a few hundred KB make several blocks. */
    private static byte[] bzip2(String text) throws IOException {
        var out = new ByteArrayOutputStream();
        out.write('B');
        out.write('Z');
        try (var bz = new CBZip2OutputStream(out, 1)) {
            bz.write(text.getBytes(StandardCharsets.UTF_8));
        }
        return out.toByteArray();
    }

    /** How many bytes the JDK's gzip reader gives before it fails on {@code gzip}: the offset a reason must name. */
    private static long readableBytes(byte[] gzip) {
        long n = 0;
        try (InputStream in = new GZIPInputStream(new java.io.ByteArrayInputStream(gzip))) {
            byte[] buffer = new byte[1000];
            for (int k; (k = in.read(buffer)) >= 0; ) {
                n += k;
            }
        } catch (IOException e) {
            return n;
        }
        throw new AssertionError("the gzip stream read to its end");
    }

    private static long characters(ReadOutcome outcome) {
        return outcome.characters().values().stream().mapToLong(Long::longValue).sum();
    }

    @Test
    void aTruncatedGzipIsLeftOutNamingTheUncompressedBytesReadAndTheOtherFilesAreKept() throws IOException {
        String a = words(1, 3000);
        String c = words(2, 2000);
        Path first = write("a.txt", a.getBytes(StandardCharsets.UTF_8));
        byte[] whole = gzip(words(3, 200_000));
        byte[] truncated = Arrays.copyOf(whole, whole.length / 2);
        Path broken = write("b.txt.gz", truncated);
        Path last = write("c.txt", c.getBytes(StandardCharsets.UTF_8));

        var outcome = read(1 << 20, "skip", first, broken, last);

        assertThat(outcome.skipped()).containsExactly(new TokenizeSummary.Skipped("file:" + broken, String.format(
                "truncated gzip stream: Unexpected end of ZLIB input stream after %,d uncompressed bytes",
                readableBytes(truncated))));
        assertThat(outcome.filesRead()).isEqualTo(2);
        assertThat(outcome.segments()).extracting(Segment::source).doesNotContain(1);
        assertThat(characters(outcome)).isEqualTo(a.codePointCount(0, a.length()) + c.codePointCount(0, c.length()));
    }

    @Test
    void underCorruptFailTheFirstUnreadableFileStopsTheRunNamingItWhereItEndsAndTheSetting() throws IOException {
        byte[] whole = gzip(words(3, 200_000));
        byte[] truncated = Arrays.copyOf(whole, whole.length / 2);
        Path broken = write("b.txt.gz", truncated);
        Path notGzip = write("c.txt.gz", "plain text under a .gz name\n".getBytes(StandardCharsets.UTF_8));

        assertThatThrownBy(() -> read(1 << 20, "fail", broken, notGzip))
                .isInstanceOf(LmpipeException.class)
                .hasMessage(String.format("unreadable input file:%s: truncated gzip stream: Unexpected end of ZLIB input"
                        + " stream after %,d uncompressed bytes; fix or remove it, or set corrupt = skip to leave it out",
                        broken, readableBytes(truncated)));
    }

    @Test
    void aFileThatIsNotGzipAndAnEmptyGzipFileAreLeftOutSayingSo() throws IOException {
        Path notGzip = write("notes.txt.gz", "plain text under a .gz name\n".getBytes(StandardCharsets.UTF_8));
        Path empty = write("empty.txt.gz", new byte[0]);
        Path good = write("good.txt", "kept\n".getBytes(StandardCharsets.UTF_8));

        var outcome = read(1 << 20, "skip", notGzip, empty, good);

        assertThat(outcome.skipped()).extracting(TokenizeSummary.Skipped::reason).containsExactly(
                "truncated gzip stream: the file is empty", "not a gzip file (Not in GZIP format)");
        assertThat(outcome.filesRead()).isEqualTo(1);
    }

    /**
     * A bzip2 file of several blocks read by many tasks, one block of which does not decode: the one task that owns
     * that block fails, the file goes whole, and the text the other tasks wrote of it is dropped from their shards.
     */
    @Test
    void aBzip2FileSharedByTasksIsLeftOutWholeWhenOneTaskCannotReadItsBlock() throws IOException {
        String good = words(4, 5000);
        Path kept = write("a.txt", good.getBytes(StandardCharsets.UTF_8));
        byte[] compressed = bzip2(words(5, 350_000));
        byte[] corrupt = compressed.clone();
        for (int i = corrupt.length - 2000; i < corrupt.length - 1900; i++) {
            corrupt[i] ^= 0x5A; // inside the last block: the first tasks read their blocks without fault
        }
        Path broken = write("b.txt.bz2", corrupt);

        var outcome = read(2048, "skip", kept, broken);

        assertThat(outcome.skipped()).singleElement().satisfies(skipped -> {
            assertThat(skipped.path()).endsWith("/b.txt.bz2");
            assertThat(skipped.reason()).matches("corrupt bzip2 stream: .+ in the block at byte [0-9,]+");
        });
        assertThat(outcome.segments()).extracting(Segment::source).containsOnly(0);
        assertThat(outcome.dropped()).extracting(Segment::source).contains(1);
        assertThat(characters(outcome)).isEqualTo(good.codePointCount(0, good.length()));
    }

    /** Cut right after a block, every block decodes: only the end of the file tells, and only the last range looks. */
    @Test
    void aBzip2FileCutBetweenTwoBlocksIsLeftOutWholeThoughEveryBlockDecodes() throws IOException {
        byte[] compressed = bzip2(words(6, 350_000));
        long secondBlock = blockMarkers(compressed)[1];
        // The byte that holds the marker's first bits also holds the first block's last bits: keep it.
        Path cut = write("cut.txt.bz2", Arrays.copyOf(compressed, (int) secondBlock + 1));

        var outcome = read(2048, "skip", cut, write("b.txt", "kept\n".getBytes(StandardCharsets.UTF_8)));

        assertThat(outcome.skipped()).extracting(TokenizeSummary.Skipped::reason)
                .containsExactly("truncated bzip2 stream: the file does not end with an end-of-stream marker");
        assertThat(outcome.segments()).extracting(Segment::source).containsOnly(0);
        assertThat(outcome.dropped()).extracting(Segment::source).contains(1);
    }

    private static long[] blockMarkers(byte[] compressed) throws IOException {
        try (var range = new dev.lmpipe.text.Bzip2Range(new java.io.ByteArrayInputStream(compressed), 0, Long.MAX_VALUE)) {
            byte[] text = range.readAllBytes();
            return java.util.stream.IntStream.range(0, text.length).mapToLong(range::blockAt).distinct().toArray();
        }
    }

    @Test
    void emptyFilesAreCountedAmongTheFilesRead() throws IOException {
        Path empty = write("empty.txt", new byte[0]);
        Path byteOrderMark = write("bom.txt", "\uFEFF".getBytes(StandardCharsets.UTF_8));
        Path emptyGzip = write("empty.txt.gz", gzip(""));
        Path text = write("text.txt", "text\n".getBytes(StandardCharsets.UTF_8));

        var outcome = read(1 << 20, "skip", empty, byteOrderMark, emptyGzip, text);

        assertThat(outcome.filesRead()).isEqualTo(4);
        assertThat(outcome.emptyFiles()).isEqualTo(3);
        assertThat(outcome.skipped()).isEmpty();
    }

    /**
     * A real read error of the local file system: Linux refuses to read unmapped memory of {@code /proc/self/mem} with
     * EIO, which Hadoop's local file system throws as an {@code FSError}.
     */
    @Test
    void aReadErrorOfTheFileSystemLeavesThePlainFileOutNamingTheByte() throws IOException {
        Path memory = Path.of("/proc/self/mem");
        assumeTrue(Files.isReadable(memory), "no /proc/self/mem to read (not Linux)");

        var outcome = read(1 << 20, "skip", memory, write("b.txt", "kept\n".getBytes(StandardCharsets.UTF_8)));

        assertThat(outcome.skipped()).containsExactly(new TokenizeSummary.Skipped("file:/proc/self/mem",
                "read error at byte 0: Input/output error"));
        assertThat(outcome.filesRead()).isEqualTo(1);
    }

    @Test
    void aFileWithoutReadPermissionIsLeftOutSayingSo() throws IOException {
        Path secret = write("secret.txt", "private\n".getBytes(StandardCharsets.UTF_8));
        assertThat(secret.toFile().setReadable(false, false)).isTrue();
        assumeFalse(Files.isReadable(secret), "this user reads files without read permission (root): chmod cannot"
                + " make one unreadable");

        var outcome = read(1 << 20, "skip", secret, write("b.txt", "kept\n".getBytes(StandardCharsets.UTF_8)));

        assertThat(outcome.skipped()).containsExactly(new TokenizeSummary.Skipped("file:" + secret,
                "cannot open: " + secret + " (Permission denied)"));
    }

    @Test
    void entriesThatListingCouldNotReadJoinTheSkippedFilesInPathOrder() throws IOException {
        Path corpus = Files.createDirectories(dir.resolve("corpus"));
        Files.writeString(corpus.resolve("a.txt"), "kept\n");
        Files.write(corpus.resolve("b.txt.gz"), Arrays.copyOf(gzip("text"), 5)); // a gzip header is 10 bytes
        Files.createSymbolicLink(corpus.resolve("c.txt"), dir.resolve("gone.txt"));

        var outcome = read(1 << 20, "skip", corpus);

        assertThat(outcome.skipped()).extracting(s -> s.path().substring(s.path().lastIndexOf('/') + 1) + ": " + s.reason())
                .containsExactly("b.txt.gz: truncated gzip stream: the file ends within the gzip header",
                        "c.txt: dangling symbolic link to " + dir.resolve("gone.txt"));
    }
}
