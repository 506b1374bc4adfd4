package dev.lmpipe.cli;

import dev.lmpipe.data.Manifest;
import dev.lmpipe.data.Split;
import dev.lmpipe.data.TokenizeSummary;
import dev.lmpipe.storage.Storage;
import org.apache.hadoop.io.compress.bzip2.CBZip2OutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Inputs that cannot be read to their end, through the command line. Under {@code corrupt = skip}, the default, each
 * is left out, named with the reason in the printed summary and in the manifest, and the run goes on with the other
 * files; under {@code corrupt = fail} the run stops with one line naming the input and where it failed, exit code 1,
 * and nothing half-written. Empty files are read and counted. {@code splitBytes = 1024} makes several tasks share
 * each file of more than 1 KB, so a bzip2 file cut in its middle fails one task of many, and the driver judges it.
 */
class UnreadableInputIT {
    /** Tasks of 1 KB of input, train split only: every document counts and validation need not be reached. */
    private static final String[] SETTINGS = {"--set", "splitBytes=1024", "--set", "validationFraction=0",
            "--set", "testFraction=0"};

    @TempDir
    Path work;

    private static String[] tokenize(String[] inputs, Path output, String... settings) {
        return Stream.of(new String[]{"tokenize"}, inputs, new String[]{"-o", output.toString()}, SETTINGS, settings)
                .flatMap(Arrays::stream).toArray(String[]::new);
    }

    private static void assertOneLineWithoutStackTrace(String error) {
        assertThat(error.strip()).doesNotContain("\n");
        assertThat(error).doesNotContain("\tat ").doesNotContain("Exception");
    }

    private static void assertNothingWritten(Path output) throws IOException {
        assertThat(output).doesNotExist();
        try (Stream<Path> siblings = Files.list(output.getParent())) {
            assertThat(siblings.map(p -> p.getFileName().toString())).noneMatch(n -> n.contains(".tmp-"));
        }
    }

    /** {@code count} numbered lines of {@code word}: text whose every character the dataset must hold, or not. */
    private static String lines(String word, int count) {
        return IntStream.range(0, count).mapToObj(i -> word + " " + i + "\n").collect(Collectors.joining());
    }

    /** A stream that compresses what is written to it into {@code out}. */
    private interface Compression {
        OutputStream into(OutputStream out) throws IOException;
    }

    private static byte[] compress(String text, Compression compression) throws IOException {
        var out = new ByteArrayOutputStream();
        try (var compressing = compression.into(out)) {
            compressing.write(text.getBytes(StandardCharsets.UTF_8));
        }
        return out.toByteArray();
    }

    /**
     * Hadoop's bzip2 writer (what its BZip2Codec writes through, which always takes 900 KB blocks without the native
     * library), here with blocks of 100 KB of text, so that a few hundred KB make several blocks.
     */
    private static OutputStream bzip2(OutputStream out) throws IOException {
        out.write(new byte[]{'B', 'Z'});
        return new CBZip2OutputStream(out, 1);
    }

    private static Path write(Path file, byte[] bytes) throws IOException {
        Files.createDirectories(file.getParent());
        return Files.write(file, bytes);
    }

    /** One kind of bad input, planted in a folder beside a good file; with what its reason says. */
    enum BadInput {
        TRUNCATED_GZIP("b.txt.gz", "truncated gzip stream: Unexpected end of ZLIB input stream after [0-9,]+"
                + " uncompressed bytes") {
            @Override
            void plant(Path corpus) throws IOException {
                byte[] whole = compress(lines("gzip", 8_000), GZIPOutputStream::new);
                write(corpus.resolve(file), Arrays.copyOf(whole, whole.length / 2));
            }
        },
        NOT_GZIP("b.txt.gz", "not a gzip file \\(Not in GZIP format\\)") {
            @Override
            void plant(Path corpus) throws IOException {
                write(corpus.resolve(file), "plain text under a .gz name\n".getBytes(StandardCharsets.UTF_8));
            }
        },
        GARBAGE_AFTER_BZIP2_HEADER("b.txt.bz2", "corrupt bzip2 stream: no block after the header") {
            @Override
            void plant(Path corpus) throws IOException {
                byte[] garbage = new byte[3000];
                new Random(4).nextBytes(garbage);
                System.arraycopy(new byte[]{'B', 'Z', 'h', '9'}, 0, garbage, 0, 4);
                write(corpus.resolve(file), garbage);
            }
        },
        /** Cut in its third block of four: the task owning it fails, those before it read theirs without fault. */
        TRUNCATED_BZIP2_SHARED_BY_TASKS("b.txt.bz2", "truncated bzip2 stream: unexpected end of stream in the block at"
                + " byte [0-9,]+") {
            @Override
            void plant(Path corpus) throws IOException {
                byte[] whole = compress(lines("bzip2", 30_000), UnreadableInputIT::bzip2);
                write(corpus.resolve(file), Arrays.copyOf(whole, whole.length * 4 / 5));
            }
        },
        /** Every block whole, its end-of-stream marker and CRC cut off: Hadoop's reader would not notice. */
        BZIP2_WITHOUT_ITS_END("b.txt.bz2", "truncated bzip2 stream: the file does not end with an end-of-stream marker") {
            @Override
            void plant(Path corpus) throws IOException {
                byte[] whole = compress(lines("bzip2", 30_000), UnreadableInputIT::bzip2);
                write(corpus.resolve(file), Arrays.copyOf(whole, whole.length - 6));
            }
        },
        DANGLING_LINK("b.txt", "dangling symbolic link to .*gone\\.txt") {
            @Override
            void plant(Path corpus) throws IOException {
                Files.createSymbolicLink(corpus.resolve(file), corpus.resolveSibling("gone.txt"));
            }
        };

        final String file;
        /** The reason, as a regular expression: offsets vary with the compressor. */
        final String reason;

        BadInput(String file, String reason) {
            this.file = file;
            this.reason = reason;
        }

        abstract void plant(Path corpus) throws IOException;
    }

    @ParameterizedTest
    @EnumSource(BadInput.class)
    void underCorruptFailTheRunStopsWithOneLineNamingTheInputAndWhereItFailed(BadInput bad) throws IOException {
        Path corpus = work.resolve("corpus");
        write(corpus.resolve("a.txt"), lines("good", 500).getBytes(StandardCharsets.UTF_8));
        bad.plant(corpus);
        Path out = work.resolve("out");

        var result = CommandRun.of(tokenize(new String[]{corpus.toString()}, out, "--set", "corrupt=fail"));

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.error().strip()).matches("lmpipe tokenize: error: unreadable input file:"
                + java.util.regex.Pattern.quote(corpus.resolve(bad.file).toString()) + ": " + bad.reason
                + "; fix or remove it, or set corrupt = skip to leave it out");
        assertOneLineWithoutStackTrace(result.error());
        assertNothingWritten(out);
    }

    /**
     * Tokenizes {@code corpus} under {@code corrupt = policy}, where {@code locked} has lost its read permission.
     * Root reads it anyway (CI runs as root): there the command runs in a child JVM from target/lmpipe.jar that capsh
     * started without the two capabilities that let root read past permissions, so the refusal is the kernel's, as
     * for any other user.
     */
    private CommandRun tokenizeWithoutReadPermission(Path corpus, Path locked, Path out, String policy) throws Exception {
        assertThat(locked.toFile().setReadable(false, false)).isTrue();
        String[] args = tokenize(new String[]{corpus.toString()}, out, "--set", "corrupt=" + policy);
        if (!Files.isReadable(locked)) {
            return CommandRun.of(args);
        }
        Path capsh = Path.of("/usr/sbin/capsh");
        assumeTrue(Files.isExecutable(capsh), "this user (root) reads files without read permission, and there is no"
                + " /usr/sbin/capsh (libcap2-bin) to run lmpipe without that power");
        return withoutRootsReadPowers(capsh, args);
    }

    private CommandRun tokenizeWithAFileWithoutReadPermission(Path corpus, Path out, String policy) throws Exception {
        write(corpus.resolve("a.txt"), lines("good", 500).getBytes(StandardCharsets.UTF_8));
        Path secret = write(corpus.resolve("b.txt"), "private\n".getBytes(StandardCharsets.UTF_8));
        return tokenizeWithoutReadPermission(corpus, secret, out, policy);
    }

    @Test
    void underCorruptFailAFileWithoutReadPermissionStopsTheRun() throws Exception {
        Path corpus = work.resolve("corpus");
        Path out = work.resolve("out");
        var result = tokenizeWithAFileWithoutReadPermission(corpus, out, "fail");

        Path secret = corpus.resolve("b.txt");
        assertThat(result.exitCode()).as(result.error()).isEqualTo(1);
        assertThat(result.error().strip()).isEqualTo("lmpipe tokenize: error: unreadable input file:" + secret
                + ": cannot open: " + secret + " (Permission denied); fix or remove it, or set corrupt = skip to leave it out");
        assertOneLineWithoutStackTrace(result.error());
        assertNothingWritten(out);
    }

    @Test
    void underCorruptSkipAFileWithoutReadPermissionIsLeftOutAndNamed() throws Exception {
        Path corpus = work.resolve("corpus");
        Path out = work.resolve("out");
        var result = tokenizeWithAFileWithoutReadPermission(corpus, out, "skip");

        assertThat(result.exitCode()).as(result.error()).isZero();
        Path secret = corpus.resolve("b.txt");
        assertThat(Manifest.read(new Storage(), out.toString()).summary().skipped()).singleElement().satisfies(s -> {
            assertThat(s.path()).isEqualTo("file:" + secret);
            assertThat(s.reason()).isEqualTo("cannot open: " + secret + " (Permission denied)");
        });
    }

    @Test
    void underCorruptSkipAFolderThatCannotBeListedIsLeftOutAndNamed() throws Exception {
        Path corpus = work.resolve("corpus");
        write(corpus.resolve("a.txt"), lines("good", 500).getBytes(StandardCharsets.UTF_8));
        Path locked = write(corpus.resolve("locked/b.txt"), lines("hidden", 50).getBytes(StandardCharsets.UTF_8)).getParent();
        Path out = work.resolve("out");
        try {
            var result = tokenizeWithoutReadPermission(corpus, locked, out, "skip");

            assertThat(result.exitCode()).as(result.error()).isZero();
            TokenizeSummary summary = Manifest.read(new Storage(), out.toString()).summary();
            assertThat(summary.filesRead()).isEqualTo(1);
            assertThat(summary.skipped()).singleElement().satisfies(s -> {
                assertThat(s.path()).isEqualTo("file:" + locked);
                assertThat(s.reason()).startsWith("cannot list folder: ").endsWith("Permission denied");
            });
        } finally {
            locked.toFile().setReadable(true, false); // for the temporary folder's removal
        }
    }

    /** lmpipe in a child JVM without CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH; its error is its stderr's error line. */
    private CommandRun withoutRootsReadPowers(Path capsh, String[] args) throws Exception {
        var command = new java.util.ArrayList<>(List.of(capsh.toString(),
                "--drop=cap_dac_override,cap_dac_read_search", "--", "-c", "exec \"$@\"", "lmpipe",
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx1g",
                "@" + Path.of("..", "conf", "jvm-options").toAbsolutePath().normalize(),
                "-jar", Path.of("target", "lmpipe.jar").toAbsolutePath().toString()));
        command.addAll(List.of(args));
        command.addAll(List.of("--master", "local[1]"));
        Path stderr = work.resolve("child.err");
        var child = new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(stderr.toFile()).start();
        assertThat(child.waitFor(120, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        List<String> lines = Files.readAllLines(stderr);
        // Spark's and ND4J's start-up lines share stderr; what the user is told is the error line.
        String error = lines.stream().filter(line -> line.startsWith("lmpipe ")).collect(Collectors.joining("\n"));
        assertThat(String.join("\n", lines)).doesNotContain("\tat ");
        return new CommandRun(child.exitValue(), "", error);
    }

    @Test
    void aFolderThatAGlobMatchedWithNothingToReadStopsTheRunUnderCorruptFail() throws IOException {
        write(work.resolve("more/a.txt"), lines("good", 500).getBytes(StandardCharsets.UTF_8));
        write(work.resolve("more/x.txt/photo.jpg"), new byte[]{(byte) 0xFF, (byte) 0xD8});
        String glob = work.resolve("more/*.txt").toString();
        Path out = work.resolve("out");

        var result = CommandRun.of(tokenize(new String[]{glob}, out, "--set", "corrupt=fail"));

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.error().strip()).isEqualTo("lmpipe tokenize: error: unreadable input file:"
                + work.resolve("more/x.txt") + ": a folder that " + glob + " matched, holding no file that include ="
                + " *.txt, *.gz, *.bz2 selects; fix or remove it, or set corrupt = skip to leave it out");
        assertOneLineWithoutStackTrace(result.error());
        assertNothingWritten(out);
    }

    /** The bad inputs that the next test plants, in the order of their paths. */
    private static List<BadInput> planted() {
        return Arrays.stream(BadInput.values()).sorted(Comparator.comparing(UnreadableInputIT::folderOf)).toList();
    }

    private static String folderOf(BadInput bad) {
        return bad.name().toLowerCase(Locale.ROOT);
    }

    /**
     * Every kind of unreadable input at once, under the default {@code corrupt = skip}: the good files make the
     * dataset, to the character, and the summary names each bad one with its reason and counts the empty file.
     */
    @Test
    void underCorruptSkipEachUnreadableInputIsLeftOutAndNamedAndTheRestIsTokenized() throws IOException {
        String good = lines("good", 500);
        String more = lines("more", 300);
        Path corpus = work.resolve("corpus");
        write(corpus.resolve("a-good.txt"), good.getBytes(StandardCharsets.UTF_8));
        write(corpus.resolve("g-empty.txt"), new byte[0]);
        for (BadInput bad : planted()) {
            bad.plant(Files.createDirectories(corpus.resolve(folderOf(bad))));
        }
        write(work.resolve("more/i.txt"), more.getBytes(StandardCharsets.UTF_8));
        write(work.resolve("more/x.txt/photo.jpg"), new byte[]{(byte) 0xFF, (byte) 0xD8});
        String glob = work.resolve("more/*.txt").toString();
        Path out = work.resolve("out");

        var result = CommandRun.of(tokenize(new String[]{corpus.toString(), glob}, out));

        assertThat(result.exitCode()).as(result.error()).isZero();
        TokenizeSummary summary = Manifest.read(new Storage(), out.toString()).summary();
        assertThat(summary.filesRead()).isEqualTo(3);
        assertThat(summary.emptyFiles()).isEqualTo(1);
        assertThat(summary.characters().get(Split.train))
                .isEqualTo(good.codePointCount(0, good.length()) + more.codePointCount(0, more.length()));
        assertThat(summary.skipped()).hasSize(BadInput.values().length + 1); // and the folder x.txt
        int named = 0;
        for (BadInput bad : planted()) {
            Path path = corpus.resolve(folderOf(bad)).resolve(bad.file);
            assertThat(summary.skipped().get(named++)).as(bad.name()).satisfies(skipped -> {
                assertThat(skipped.path()).isEqualTo("file:" + path);
                assertThat(skipped.reason()).matches(bad.reason);
                assertThat(result.output()).contains("tokenize: skipped file:" + path + ": " + skipped.reason() + "\n");
            });
        }
        var folder = new TokenizeSummary.Skipped("file:" + work.resolve("more/x.txt"), "a folder that " + glob
                + " matched, holding no file that include = *.txt, *.gz, *.bz2 selects");
        assertThat(summary.skipped().get(named)).isEqualTo(folder);
        assertThat(result.output()).contains("tokenize: read 3 file(s) (1 empty), ",
                "; skipped " + (BadInput.values().length + 1) + " file(s);",
                "tokenize: skipped " + folder.path() + ": " + folder.reason() + "\n");
    }
}
