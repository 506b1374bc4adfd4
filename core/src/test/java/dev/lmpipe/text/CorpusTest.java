package dev.lmpipe.text;

import dev.lmpipe.LmpipeException;
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

class CorpusTest {
    private static final String TEXT = "Die Welle 🌊 bricht.\nUne vague é.\n漢字\n";

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

    @Test
    void expandFolderPicksTxtAndGzRecursivelySkippingHiddenAndUnderscoreFilesSorted() throws IOException {
        Path corpus = dir.resolve("corpus");
        write(corpus.resolve("b.txt"), "b");
        write(corpus.resolve("a.txt"), "a");
        writeGzip(corpus.resolve("c.gz"), "c");
        write(corpus.resolve("sub/d.txt"), "d");
        write(corpus.resolve("sub/deeper/e.txt"), "e");
        write(corpus.resolve("notes.md"), "not text by extension");
        write(corpus.resolve(".hidden.txt"), "hidden");
        write(corpus.resolve("_SUCCESS"), "");
        write(corpus.resolve("_partial.txt"), "underscore");
        write(corpus.resolve(".git/objects.txt"), "hidden folder");
        write(corpus.resolve("_tmp/x.txt"), "underscore folder");

        List<String> sources = Corpus.expand(storage, List.of(corpus.toString()));

        assertThat(relative(sources)).containsExactly(
                "corpus/a.txt", "corpus/b.txt", "corpus/c.gz", "corpus/sub/d.txt", "corpus/sub/deeper/e.txt");
        assertThat(sources).isSorted();
    }

    @Test
    void expandReadsAFileNamedExplicitlyWhateverItsExtension() throws IOException {
        Path notes = write(dir.resolve("notes.md"), "x");
        assertThat(relative(Corpus.expand(storage, List.of(notes.toString())))).containsExactly("notes.md");
    }

    @Test
    void expandOfMissingPathNamesTheInput() {
        String missing = dir.resolve("no-such-folder").toString();
        assertThatThrownBy(() -> Corpus.expand(storage, List.of(missing)))
                .isInstanceOf(LmpipeException.class)
                .hasMessageContaining("not found")
                .hasMessageContaining(missing);
    }

    @Test
    void expandOfFolderWithoutTextNamesTheInput() throws IOException {
        Path empty = dir.resolve("images");
        write(empty.resolve("photo.jpg"), "jpeg");
        write(empty.resolve(".hidden.txt"), "hidden");
        assertThatThrownBy(() -> Corpus.expand(storage, List.of(empty.toString())))
                .isInstanceOf(LmpipeException.class)
                .hasMessageContaining("no text files")
                .hasMessageContaining(empty.toString());
    }

    @Test
    void expandDeduplicatesOverlappingInputs() throws IOException {
        Path corpus = dir.resolve("corpus");
        Path a = write(corpus.resolve("a.txt"), "a");
        write(corpus.resolve("b.txt"), "b");

        List<String> sources = Corpus.expand(storage, List.of(corpus.toString(), a.toString()));

        assertThat(relative(sources)).containsExactly("corpus/a.txt", "corpus/b.txt");
    }

    private String readAll(Path file) throws IOException {
        var source = Corpus.sources(storage, List.of(file.toString())).get(0);
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

        var sources = Corpus.sources(storage, List.of(corpus.toString(), single.toString()));

        assertThat(sources).extracting(Source::name).containsExactly("sub/a.txt", "single.txt");
        assertThat(sources).extracting(Source::length).containsExactly(3L, 5L);
    }

    @Test
    void openOfBrokenGzipNamesTheSource() throws IOException {
        Path broken = write(dir.resolve("broken.gz"), "this is not gzip");
        assertThatThrownBy(() -> readAll(broken))
                .isInstanceOf(LmpipeException.class)
                .hasMessageContaining(broken.toString())
                .hasMessageContaining("gzip");
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
