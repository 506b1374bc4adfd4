package dev.lmpipe.text;

import dev.lmpipe.LmpipeException;
import dev.lmpipe.data.TokenizeConfig;
import dev.lmpipe.storage.Storage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPOutputStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

class CorpusTest {
    private static final String TEXT = "Die Welle 🌊 bricht.\nUne vague é.\n漢字\n";
    /** The default include and exclude: {@code *.txt, *.gz, *.bz2}, nothing excluded. */
    private static final FileSelection DEFAULT_SELECTION = TokenizeConfig.DEFAULTS.selection();

    private final Storage storage = new Storage();

    @TempDir
    Path dir;

    private static Path write(Path file, String text) throws IOException {
        Files.createDirectories(file.getParent());
        return Files.writeString(file, text, StandardCharsets.UTF_8);
    }

    private static Path writeGzip(Path file, String text) throws IOException {
        Files.createDirectories(file.getParent());
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(file))) {
            out.write(text.getBytes(StandardCharsets.UTF_8));
        }
        return file;
    }

    /** The file names of expanded sources, relative to the temp dir, for readable assertions. */
    private List<String> relative(List<String> sources) {
        return sources.stream().map(s -> dir.relativize(Path.of(java.net.URI.create(s))).toString()).toList();
    }

    /** The files that {@code selection} takes from the folder {@code corpus}, relative to it. */
    private List<String> selected(Path corpus, List<String> include, List<String> exclude) {
        return Corpus.list(storage, List.of(corpus.toString()), new FileSelection(include, exclude)).sources().stream()
                .map(Source::name).toList();
    }

    @Test
    void defaultSelectionPicksTxtGzAndBz2RecursivelySkippingHiddenAndUnderscoreFilesSorted() throws IOException {
        Path corpus = dir.resolve("corpus");
        write(corpus.resolve("b.txt"), "b");
        write(corpus.resolve("a.txt"), "a");
        writeGzip(corpus.resolve("c.gz"), "c");
        write(corpus.resolve("f.bz2"), "bzip2 by extension; not read here");
        write(corpus.resolve("sub/d.txt"), "d");
        write(corpus.resolve("sub/deeper/e.txt"), "e");
        write(corpus.resolve("notes.md"), "not text by extension");
        write(corpus.resolve("SHOUT.TXT"), "extensions are case-sensitive");
        write(corpus.resolve("a.txt.orig"), "the extension is the last one");
        write(corpus.resolve(".hidden.txt"), "hidden");
        write(corpus.resolve("_SUCCESS"), "");
        write(corpus.resolve("_partial.txt"), "underscore");
        write(corpus.resolve(".git/objects.txt"), "hidden folder");
        write(corpus.resolve("_tmp/x.txt"), "underscore folder");

        List<String> sources = Corpus.expand(storage, List.of(corpus.toString()), DEFAULT_SELECTION);

        assertThat(relative(sources)).containsExactly("corpus/a.txt", "corpus/b.txt", "corpus/c.gz", "corpus/f.bz2",
                "corpus/sub/d.txt", "corpus/sub/deeper/e.txt");
        assertThat(sources).isSorted();
    }

    @Test
    void patternWithoutSlashMatchesTheFileNameAtAnyDepth() throws IOException {
        Path linux = dir.resolve("linux");
        write(linux.resolve("init/main.c"), "c");
        write(linux.resolve("drivers/net/foo.c"), "c");
        write(linux.resolve("include/linux/foo.h"), "h");
        write(linux.resolve("top.c"), "c");
        write(linux.resolve("drivers/net/foo.o"), "object");
        write(linux.resolve("drivers/net/foo.c.orig"), "backup");
        write(linux.resolve("README"), "readme");

        assertThat(selected(linux, List.of("*.c", "*.h"), List.of()))
                .containsExactly("drivers/net/foo.c", "include/linux/foo.h", "init/main.c", "top.c");
    }

    @Test
    void patternWithSlashMatchesThePathRelativeToTheFolderWithDoubleStarAcrossFolders() throws IOException {
        Path linux = dir.resolve("linux");
        write(linux.resolve("drivers/a.c"), "c");
        write(linux.resolve("drivers/net/b.c"), "c");
        write(linux.resolve("drivers/net/b.h"), "h");
        write(linux.resolve("kernel/c.c"), "c");
        write(linux.resolve("kernel/drivers/d.c"), "drivers, but not at the top");

        assertThat(selected(linux, List.of("drivers/**.c"), List.of())).containsExactly("drivers/a.c", "drivers/net/b.c");
        assertThat(selected(linux, List.of("drivers/*.c"), List.of())).as("* stays within a folder")
                .containsExactly("drivers/a.c");
        assertThat(selected(linux, List.of("**/drivers/*.c"), List.of())).as("**/ needs a folder before drivers/")
                .containsExactly("kernel/drivers/d.c");
    }

    @Test
    void excludeWinsOverInclude() throws IOException {
        Path linux = dir.resolve("linux");
        write(linux.resolve("kernel/fork.c"), "c");
        write(linux.resolve("kernel/fork_test.c"), "test");
        write(linux.resolve("drivers/staging/x/y.c"), "staging");
        write(linux.resolve("drivers/net/z.c"), "c");

        assertThat(selected(linux, List.of("*.c"), List.of("*_test.c", "drivers/staging/**")))
                .containsExactly("drivers/net/z.c", "kernel/fork.c");
    }

    @Test
    void hiddenAndUnderscoreNamesAreSkippedWhateverTheIncludePatterns() throws IOException {
        Path corpus = dir.resolve("corpus");
        write(corpus.resolve("a.c"), "c");
        write(corpus.resolve(".git/config"), "hidden folder");
        write(corpus.resolve(".clang-format"), "hidden file");
        write(corpus.resolve("_build/b.c"), "underscore folder");

        assertThat(selected(corpus, List.of("*"), List.of())).containsExactly("a.c");
    }

    @Test
    void fileNamedExplicitlyIsReadEvenIfAnExcludePatternMatchesIt() throws IOException {
        Path generated = write(dir.resolve("src/parser_generated.c"), "c");
        var selection = new FileSelection(List.of("*.c"), List.of("*_generated.c"));

        assertThat(relative(Corpus.expand(storage, List.of(generated.toString()), selection)))
                .containsExactly("src/parser_generated.c");
        assertThatThrownBy(() -> Corpus.expand(storage, List.of(dir.resolve("src").toString()), selection))
                .as("the same file found by walking its folder").isInstanceOf(LmpipeException.class);
    }

    @Test
    void compressedFilesTakenByAPatternAreStillDecompressed() throws IOException {
        Path logs = dir.resolve("logs");
        writeGzip(logs.resolve("2026/app.log.gz"), TEXT);

        var source = Corpus.list(storage, List.of(logs.toString()),
                new FileSelection(List.of("*.log.gz"), List.of())).sources().get(0);

        assertThat(source.name()).isEqualTo("2026/app.log.gz");
        try (var in = Corpus.open(storage, source, 0)) {
            assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo(TEXT);
        }
    }

    @Test
    void expandReadsAFileNamedExplicitlyWhateverItsExtension() throws IOException {
        Path notes = write(dir.resolve("notes.md"), "x");
        assertThat(relative(Corpus.expand(storage, List.of(notes.toString()), DEFAULT_SELECTION))).containsExactly("notes.md");
    }

    @Test
    void expandOfMissingPathNamesTheInput() {
        String missing = dir.resolve("no-such-folder").toString();
        assertThatThrownBy(() -> Corpus.expand(storage, List.of(missing), DEFAULT_SELECTION))
                .isInstanceOf(LmpipeException.class)
                .hasMessageContaining("not found")
                .hasMessageContaining(missing);
    }

    @Test
    void expandOfFolderWithoutSelectedFilesNamesTheInputAndThePatterns() throws IOException {
        Path empty = dir.resolve("images");
        write(empty.resolve("photo.jpg"), "jpeg");
        write(empty.resolve(".hidden.txt"), "hidden");
        assertThatThrownBy(() -> Corpus.expand(storage, List.of(empty.toString()), DEFAULT_SELECTION))
                .isInstanceOf(LmpipeException.class)
                .hasMessageContaining("no files under " + empty)
                .hasMessageContaining("include = *.txt, *.gz, *.bz2")
                .hasMessageContaining("--include");

        var jpegButNotPhotos = new FileSelection(List.of("*.jpg"), List.of("photo*"));
        assertThatThrownBy(() -> Corpus.expand(storage, List.of(empty.toString()), jpegButNotPhotos))
                .isInstanceOf(LmpipeException.class)
                .hasMessageContaining("include = *.jpg, exclude = photo*");
    }

    @Test
    void expandDeduplicatesOverlappingInputs() throws IOException {
        Path corpus = dir.resolve("corpus");
        Path a = write(corpus.resolve("a.txt"), "a");
        write(corpus.resolve("b.txt"), "b");

        List<String> sources = Corpus.expand(storage, List.of(corpus.toString(), a.toString()), DEFAULT_SELECTION);

        assertThat(relative(sources)).containsExactly("corpus/a.txt", "corpus/b.txt");
    }

    private String readAll(Path file) throws IOException {
        var source = Corpus.list(storage, List.of(file.toString()), DEFAULT_SELECTION).sources().get(0);
        try (var in = Corpus.open(storage, source, 0)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void gzipAndBzip2FilesReadAsThePlainFile() throws IOException {
        Path plain = write(dir.resolve("plain.txt"), TEXT);
        Path gzip = writeGzip(dir.resolve("packed.txt.gz"), TEXT);
        Path bzip2 = dir.resolve("packed.txt.bz2");
        var codec = new org.apache.hadoop.io.compress.BZip2Codec();
        codec.setConf(new org.apache.hadoop.conf.Configuration(false));
        try (OutputStream out = codec.createOutputStream(Files.newOutputStream(bzip2))) {
            out.write(TEXT.getBytes(StandardCharsets.UTF_8));
        }
        assertThat(Files.size(gzip)).isNotEqualTo(Files.size(plain));

        assertThat(readAll(plain)).isEqualTo(TEXT);
        assertThat(readAll(gzip)).isEqualTo(TEXT);
        assertThat(readAll(bzip2)).isEqualTo(TEXT);
    }

    @Test
    void sourcesCarryTheirNameRelativeToTheInputFolderAndTheirSize() throws IOException {
        Path corpus = dir.resolve("corpus");
        write(corpus.resolve("sub/a.txt"), "abc");
        Path single = write(dir.resolve("single.txt"), "hello");

        var sources = Corpus.list(storage, List.of(corpus.toString(), single.toString()), DEFAULT_SELECTION).sources();

        assertThat(sources).extracting(Source::name).containsExactly("sub/a.txt", "single.txt");
        assertThat(sources).extracting(Source::length).containsExactly(3L, 5L);
    }

    /** The unreadable entries of a listing as "name relative to the temp dir: reason". */
    private List<String> unreadable(Corpus.Listing listing) {
        return listing.unreadable().stream()
                .map(u -> dir.relativize(Path.of(java.net.URI.create(u.path()))) + ": " + u.reason()).toList();
    }

    @Test
    void aDanglingLinkThatTheSelectionTakesIsUnreadableAndOthersAreIgnored() throws IOException {
        Path corpus = dir.resolve("corpus");
        write(corpus.resolve("a.txt"), "a");
        Path gone = dir.resolve("gone.txt");
        Files.createSymbolicLink(corpus.resolve("b.txt"), gone);
        Files.createDirectories(corpus.resolve("sub"));
        Files.createSymbolicLink(corpus.resolve("sub/c.txt.gz"), gone);
        Files.createSymbolicLink(corpus.resolve("photo.jpg"), gone);
        Files.createSymbolicLink(corpus.resolve(".hidden.txt"), gone);

        var listing = Corpus.list(storage, List.of(corpus.toString()), DEFAULT_SELECTION);

        assertThat(listing.sources()).extracting(Source::name).containsExactly("a.txt");
        assertThat(unreadable(listing)).containsExactly("corpus/b.txt: dangling symbolic link to " + gone,
                "corpus/sub/c.txt.gz: dangling symbolic link to " + gone);
    }

    @Test
    void anInputThatIsADanglingLinkIsNotFoundSayingWhereItPoints() throws IOException {
        Path link = Files.createSymbolicLink(dir.resolve("link.txt"), dir.resolve("gone.txt"));

        assertThatThrownBy(() -> Corpus.list(storage, List.of(link.toString()), DEFAULT_SELECTION))
                .isInstanceOf(LmpipeException.class)
                .hasMessage("input not found: " + link + " (a symbolic link to " + dir.resolve("gone.txt")
                        + ", which does not exist)");
    }

    @Test
    void aFolderHoldingOnlyUnreadableEntriesStopsNamingTheFirst() throws IOException {
        Path corpus = Files.createDirectories(dir.resolve("corpus"));
        Files.createSymbolicLink(corpus.resolve("a.txt"), dir.resolve("gone.txt"));

        assertThatThrownBy(() -> Corpus.list(storage, List.of(corpus.toString()), DEFAULT_SELECTION))
                .isInstanceOf(LmpipeException.class)
                .hasMessage("nothing readable under " + corpus + ": file:" + corpus.resolve("a.txt")
                        + ": dangling symbolic link to " + dir.resolve("gone.txt"));
    }

    @Test
    void aFolderThatAGlobMatchedBesideFilesButThatHoldsNothingToReadIsUnreadable() throws IOException {
        Path corpus = dir.resolve("corpus");
        write(corpus.resolve("a.txt"), "a");
        write(corpus.resolve("x.txt/photo.jpg"), "jpeg");
        String glob = corpus.resolve("*.txt").toString();

        var listing = Corpus.list(storage, List.of(glob), DEFAULT_SELECTION);

        assertThat(listing.sources()).extracting(Source::name).containsExactly("a.txt");
        assertThat(unreadable(listing)).containsExactly("corpus/x.txt: a folder that " + glob
                + " matched, holding no file that include = *.txt, *.gz, *.bz2 selects");
        assertThatThrownBy(() -> Corpus.list(storage, List.of(corpus.resolve("x.txt").toString()), DEFAULT_SELECTION))
                .as("the same folder named as an input: a mistake in the command")
                .isInstanceOf(LmpipeException.class).hasMessageStartingWith("no files under " + corpus.resolve("x.txt"));
    }

    @Test
    void aFolderThatCannotBeListedIsUnreadable() throws IOException {
        Path corpus = dir.resolve("corpus");
        write(corpus.resolve("a.txt"), "a");
        Path locked = write(corpus.resolve("locked/b.txt"), "b").getParent();
        assertThat(locked.toFile().setReadable(false, false)).isTrue();
        try {
            assumeFalse(Files.isReadable(locked), "this user lists folders without read permission (root): chmod"
                    + " cannot make one unlistable");

            var listing = Corpus.list(storage, List.of(corpus.toString()), DEFAULT_SELECTION);

            assertThat(listing.sources()).extracting(Source::name).containsExactly("a.txt");
            assertThat(unreadable(listing)).singleElement().asString().startsWith("corpus/locked: cannot list folder: ");
        } finally {
            locked.toFile().setReadable(true, false); // for the temporary folder's removal
        }
    }

    @Test
    void countAndMergeAddOccurrences() {
        var counts = Corpus.count("abca".codePoints().toArray());
        assertThat(counts).containsOnly(java.util.Map.entry((int) 'a', 2L), java.util.Map.entry((int) 'b', 1L),
                java.util.Map.entry((int) 'c', 1L));
        Corpus.merge(counts, Corpus.count("ad".codePoints().toArray()));
        assertThat(counts).containsEntry((int) 'a', 3L).containsEntry((int) 'd', 1L).hasSize(4);
    }
}
