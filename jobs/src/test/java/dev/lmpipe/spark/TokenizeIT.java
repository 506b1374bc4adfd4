package dev.lmpipe.spark;

import dev.lmpipe.config.ConfigLoader;
import dev.lmpipe.data.Manifest;
import dev.lmpipe.data.ShardInfo;
import dev.lmpipe.data.Shards;
import dev.lmpipe.data.Split;
import dev.lmpipe.data.TokenizeConfig;
import dev.lmpipe.eval.EvaluateConfig;
import dev.lmpipe.generate.Generator;
import dev.lmpipe.generate.Sampler;
import dev.lmpipe.generate.UnknownCharacters;
import dev.lmpipe.storage.Storage;
import dev.lmpipe.text.TokenizerKind;
import dev.lmpipe.train.CheckpointStore;
import dev.lmpipe.train.TrainConfig;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.zip.GZIPOutputStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** tokenize on real Spark in local[2]: hostile folders, split-size independence, stable splits, reuse, BPE. */
class TokenizeIT {
    private static JavaSparkContext sc;
    private static final PrintStream QUIET = new PrintStream(OutputStream.nullOutputStream());
    private final Storage storage = new Storage();

    @TempDir
    Path work;

    @BeforeAll
    static void startSpark() {
        sc = LocalSpark.start("TokenizeIT");
    }

    @AfterAll
    static void stopSpark() {
        sc.stop();
    }

    private Manifest tokenize(PrintStream out, String... settings) {
        var config = ConfigLoader.load(TokenizeConfig.class, TokenizeConfig.DEFAULTS, null, List.of(settings));
        return TokenizeJob.run(sc, storage, config, false, out);
    }

    /** The text of a split: its shards in order, decoded with the manifest's vocabulary. */
    private String text(String dataset, Manifest manifest, Split split) {
        var out = new ByteArrayOutputStream();
        for (ShardInfo shard : manifest.shards(split)) {
            out.writeBytes(manifest.vocabulary().bytes(Shards.read(storage, dataset, shard)));
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    /**
     * The same text in every split, in shards of at most {@code shardTokens}. Where shards end depends on the
     * reading tasks (a task ends its shards), what they hold does not.
     */
    private void assertSameTokens(String description, Path first, Manifest a, Path second, Manifest b, long shardTokens) {
        for (Split split : Split.values()) {
            assertThat(text(first.toString(), a, split)).as(description + " " + split)
                    .isEqualTo(text(second.toString(), b, split));
        }
        assertThat(a.splitTokens()).as(description).isEqualTo(b.splitTokens());
        for (var manifest : List.of(a, b)) {
            assertThat(manifest.shards()).as(description)
                    .allSatisfy(shard -> assertThat(shard.tokens()).isBetween(1L, shardTokens));
        }
    }

    private static Path write(Path file, byte[] bytes) throws IOException {
        Files.createDirectories(file.getParent());
        return Files.write(file, bytes);
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void plantedBadFilesAreSkippedAndNamedAndTheRestIsTokenizedClean() throws IOException {
        Path corpus = work.resolve("corpus");
        write(corpus.resolve("a-good.txt"), utf8("\uFEFFWindows line\r\nends here.\r\n"));
        try (var gz = new GZIPOutputStream(Files.newOutputStream(write(corpus.resolve("b-packed.txt.gz"), new byte[0])))) {
            gz.write(utf8("gzip text\n"));
        }
        write(corpus.resolve("c-empty.txt"), new byte[0]);
        write(corpus.resolve("d-image.txt"), new byte[]{'P', 'N', 'G', 0, 0, 1, 2, 3});
        byte[] controls = new byte[400];
        for (int i = 0; i < controls.length; i++) {
            controls[i] = (byte) (1 + i % 8); // control characters only: no NUL, tab or line end
        }
        write(corpus.resolve("e-controls.txt"), controls);
        write(corpus.resolve("f-latin1.txt"), new byte[]{'c', 'a', 'f', (byte) 0xE9, '\n'});
        write(corpus.resolve("sub/g-more.txt"), utf8("nested café\n"));
        String dataset = work.resolve("dataset").toString();
        var console = new ByteArrayOutputStream();

        var manifest = tokenize(new PrintStream(console, true, StandardCharsets.UTF_8), "input=" + corpus,
                "output=" + dataset, "documents=files", "validationFraction=0", "testFraction=0", "invalidUtf8=skip");

        var summary = manifest.summary();
        assertThat(summary.filesRead()).isEqualTo(4);
        assertThat(summary.filesSkipped()).isEqualTo(3);
        assertThat(summary.skipped()).extracting(s -> Path.of(java.net.URI.create(s.path())).getFileName().toString())
                .containsExactly("d-image.txt", "e-controls.txt", "f-latin1.txt");
        assertThat(summary.skipped()).extracting(s -> s.reason()).containsExactly(
                "binary: NUL byte at offset 3", "binary: 100.0% control characters",
                "invalid UTF-8: 1 byte(s), the first at offset 3");
        // Files in path order, CR LF made LF, the byte order mark gone, the skipped files absent.
        assertThat(text(dataset, manifest, Split.train))
                .isEqualTo("Windows line\nends here.\ngzip text\nnested café\n");
        assertThat(summary.characters().get(Split.train)).isEqualTo(46);
        String printed = console.toString(StandardCharsets.UTF_8);
        assertThat(printed).contains("read 4 file(s)", "skipped 3 file(s)", "d-image.txt: binary: NUL byte at offset 3",
                "f-latin1.txt: invalid UTF-8");
    }

    /**
     * Files judged bad after their text went into shards, one read whole by a task and one shared by several
     * tasks (judged on the driver): the shards holding their text are rewritten without it.
     */
    @Test
    void textOfFilesLeftOutAfterReadingIsRemovedFromTheShards() throws IOException {
        Path corpus = work.resolve("late");
        var random = new Random(13);
        String[] words = {"ship", "wind", "Ωμέγα", "north", "\n"};
        write(corpus.resolve("a.txt"), utf8(randomWords(random, words, 20_000)));
        var shared = new StringBuilder(randomWords(random, words, 30_000)).append("\u0000 a NUL near the end\n");
        write(corpus.resolve("b-shared-binary.txt"), utf8(shared.toString()));
        write(corpus.resolve("c.txt"), utf8(randomWords(random, words, 5_000)));
        write(corpus.resolve("d-whole-invalid.txt"),
                concat(utf8(randomWords(random, words, 3_000)), new byte[]{'x', (byte) 0xFF, '\n'}));
        write(corpus.resolve("e.txt"), utf8(randomWords(random, words, 4_000)));
        Path clean = work.resolve("late-clean");
        for (String name : List.of("a.txt", "c.txt", "e.txt")) {
            write(clean.resolve(name), Files.readAllBytes(corpus.resolve(name)));
        }
        String[] common = {"documents=files", "validationFraction=0", "testFraction=0", "invalidUtf8=skip",
                "splitBytes=8192", "shardTokens=6000"};

        var withBad = tokenize(QUIET, concat(common, "input=" + corpus, "output=" + work.resolve("late-ds")));
        var without = tokenize(QUIET, concat(common, "input=" + clean, "output=" + work.resolve("late-clean-ds")));

        assertThat(withBad.summary().filesSkipped()).isEqualTo(2);
        assertSameTokens("bad files left out", work.resolve("late-ds"), withBad, work.resolve("late-clean-ds"), without,
                6_000);
        assertThat(withBad.shards()).anySatisfy(shard -> assertThat(shard.file()).endsWith("-kept.shard"));
        try (var files = Files.list(work.resolve("late-ds"))) {
            assertThat(files.filter(f -> f.toString().endsWith(".shard")).count()).isEqualTo(withBad.shards().size());
        }
    }

    private static String randomWords(Random random, String[] words, int length) {
        var text = new StringBuilder();
        while (text.length() < length) {
            text.append(words[random.nextInt(words.length)]).append(' ');
        }
        return text.toString();
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] all = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }

    private static String[] concat(String[] a, String... b) {
        String[] all = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }

    @Test
    void aFileLargerThanTheSplitSizeGivesTheSameShardsAsOneRange() throws IOException {
        var random = new Random(5);
        var text = new StringBuilder();
        String[] words = {"lorem", "ipsum", "dolor", "Ωμέγα", "日本語", "🌊", "\n", "\n\n"};
        while (text.length() < 300_000) {
            text.append(words[random.nextInt(words.length)]).append(random.nextInt(50) == 0 ? "x".repeat(5000) : " ");
        }
        Path corpus = write(work.resolve("large.txt"), utf8(text.toString()));
        for (String documents : List.of("blocks", "records")) {
            var ranged = tokenize(QUIET, "input=" + corpus, "output=" + work.resolve("ranged-" + documents),
                    "splitBytes=4096", "shardTokens=50000", "documents=" + documents);
            var whole = tokenize(QUIET, "input=" + corpus, "output=" + work.resolve("whole-" + documents),
                    "splitBytes=100000000", "shardTokens=50000", "documents=" + documents);
            assertSameTokens(documents, work.resolve("ranged-" + documents), ranged, work.resolve("whole-" + documents),
                    whole, 50_000);
            assertThat(ranged.shards().size()).isGreaterThan(whole.shards().size());
            assertThat(ranged.splitTokens().values().stream().mapToLong(Long::longValue).sum())
                    .isEqualTo(text.codePointCount(0, text.length()));
        }
    }

    /** A bzip2 file of many blocks, read in ranges by several tasks: the same shards as one task reading it whole. */
    @Test
    void aBzip2FileSplitBetweenTasksGivesTheSameShardsAsOneTask() throws IOException {
        var random = new Random(11);
        var text = new StringBuilder();
        String[] words = {"ship", "wind", "Ωμέγα", "north", "🌊", "log"};
        while (text.length() < 600_000) {
            int n = random.nextInt(200) == 0 ? 30_000 : random.nextInt(15);
            for (int w = 0; w < n; w++) {
                text.append(words[random.nextInt(words.length)]).append(' ');
            }
            text.append('\n');
        }
        Path corpus = work.resolve("big.txt.bz2");
        Files.createDirectories(corpus.getParent());
        try (var out = Files.newOutputStream(corpus)) {
            out.write(new byte[]{'B', 'Z'});
            try (var bz = new org.apache.hadoop.io.compress.bzip2.CBZip2OutputStream(out, 1)) { // 100 KB blocks
                bz.write(utf8(text.toString()));
            }
        }
        assertThat(Files.size(corpus)).isGreaterThan(8 * 1024);
        for (String documents : List.of("blocks", "files")) {
            // blocks: a bzip2 block is a document, about 100 KB of text here; files: one document, all in train
            String validation = "validationFraction=" + (documents.equals("blocks") ? 0.5 : 0);
            var ranged = tokenize(QUIET, "input=" + corpus, "output=" + work.resolve("bz-ranged-" + documents),
                    "splitBytes=1024", "shardTokens=40000", "documents=" + documents, validation, "testFraction=0");
            var whole = tokenize(QUIET, "input=" + corpus, "output=" + work.resolve("bz-whole-" + documents),
                    "splitBytes=100000000", "shardTokens=40000", "documents=" + documents, validation, "testFraction=0");
            assertSameTokens(documents, work.resolve("bz-ranged-" + documents), ranged,
                    work.resolve("bz-whole-" + documents), whole, 40_000);
            assertThat(ranged.splitTokens().values().stream().mapToLong(Long::longValue).sum())
                    .isEqualTo(text.codePointCount(0, text.length()));
        }
    }

    /** One task packing 60 small files (their segments merged) against one task per file: the same shards. */
    @Test
    void manySmallFilesPackedInOneTaskGiveTheSameShardsAsOneTaskEach() throws IOException {
        var random = new Random(9);
        String[] words = {"ship", "wind", "Ωμέγα", "north", "🌊", "\n", "\n\n", "log"};
        long characters = 0;
        for (int f = 0; f < 60; f++) {
            var text = new StringBuilder();
            int size = 200 + random.nextInt(3000);
            while (text.length() < size) {
                text.append(words[random.nextInt(words.length)]).append(' ');
            }
            characters += text.codePointCount(0, text.length());
            write(work.resolve("small/f" + f + ".txt"), utf8(text.toString()));
        }
        // a binary file among them: its text must leave no gap the merging could bridge wrongly
        write(work.resolve("small/f30b.txt"), new byte[]{'a', 0, 'b'});
        var packed = tokenize(QUIET, "input=" + work.resolve("small"), "output=" + work.resolve("packed"),
                "splitBytes=100000000", "shardTokens=20000", "documents=files");
        var apart = tokenize(QUIET, "input=" + work.resolve("small"), "output=" + work.resolve("apart"),
                "splitBytes=1024", "shardTokens=20000", "documents=files");
        assertSameTokens("packed, apart", work.resolve("packed"), packed, work.resolve("apart"), apart, 20_000);
        // one task: every shard but each split's last is full
        assertThat(packed.shards().size()).isGreaterThan(3)
                .isLessThanOrEqualTo((int) (characters / 20_000) + Split.values().length);
        assertThat(packed.splitTokens().values().stream().mapToLong(Long::longValue).sum()).isEqualTo(characters);
        assertThat(packed.summary().filesSkipped()).isEqualTo(1);
    }

    @Test
    void addingFilesNeverMovesAnOldDocumentToAnotherSplit() throws IOException {
        Path corpus = work.resolve("growing");
        for (int i = 0; i < 40; i++) {
            write(corpus.resolve(String.format("doc-%03d.txt", i)), utf8("<" + i + ">\n"));
        }
        var before = splitOfEachDocument(corpus, "before");
        for (int i = 40; i < 80; i++) {
            write(corpus.resolve(String.format("doc-%03d.txt", i)), utf8("<" + i + ">\n"));
        }
        var after = splitOfEachDocument(corpus, "after");

        assertThat(after).hasSize(80);
        before.forEach((document, split) -> assertThat(after.get(document)).as("document %d", document).isEqualTo(split));
        assertThat(after.values()).contains(Split.train, Split.validation, Split.test);
    }

    private Map<Integer, Split> splitOfEachDocument(Path corpus, String name) {
        String dataset = work.resolve(name).toString();
        var manifest = tokenize(QUIET, "input=" + corpus, "output=" + dataset, "documents=files",
                "validationFraction=0.2", "testFraction=0.2");
        var splits = new HashMap<Integer, Split>();
        for (Split split : Split.values()) {
            var matcher = java.util.regex.Pattern.compile("<(\\d+)>").matcher(text(dataset, manifest, split));
            while (matcher.find()) {
                splits.put(Integer.parseInt(matcher.group(1)), split);
            }
        }
        return splits;
    }

    @Test
    void vocabularyFromAnotherDatasetEncodesNewTextAndCountsWhatItLacks() throws IOException {
        Path old = write(work.resolve("old.txt"), utf8("abc abc cab\n".repeat(400)));
        Path fresh = write(work.resolve("fresh.txt"), utf8("abc xyz\n".repeat(400)));
        String first = work.resolve("first").toString();
        var original = tokenize(QUIET, "input=" + old, "output=" + first, "blockBytes=64", "validationFraction=0.2");

        var reused = tokenize(QUIET, "input=" + fresh, "output=" + work.resolve("second"), "blockBytes=64",
                "validationFraction=0.2", "vocabFrom=" + first);

        assertThat(reused.vocabulary()).isEqualTo(original.vocabulary());
        long unknown = reused.summary().unknownTokens().values().stream().mapToLong(Long::longValue).sum();
        assertThat(unknown).isEqualTo(3 * 400); // x, y and z of every line
        long characters = reused.summary().characters().values().stream().mapToLong(Long::longValue).sum();
        assertThat(characters).isEqualTo(8 * 400);
        for (Split split : Split.values()) {
            double rate = reused.summary().outOfVocabularyRate(split);
            assertThat(rate).as(split.name()).isCloseTo(3.0 / 8, within(0.01));
        }
    }

    @Test
    void bpeDatasetRoundTripsTrainsAndReportsBitsPerCharacter() throws IOException {
        // The project's own English-like sample (names, weather, dialogue, some non-ASCII), so this always runs.
        String text = Files.readString(Path.of("..", "data-samples", "sample.txt")).substring(0, 200_000);
        Path corpus = write(work.resolve("logs.txt"), utf8(text));
        String whole = work.resolve("bpe-whole").toString();
        var all = tokenize(QUIET, "input=" + corpus, "output=" + whole, "tokenizer=bpe", "maxVocabulary=600",
                "validationFraction=0", "testFraction=0");
        assertThat(all.vocabulary().tokenizer()).isEqualTo(TokenizerKind.bpe);
        assertThat(all.vocabulary().size()).isEqualTo(600);
        assertThat(text(whole, all, Split.train)).isEqualTo(text);
        double charactersPerToken = all.charactersPerToken(Split.train);
        assertThat(charactersPerToken).isGreaterThan(2.0); // 342 merges of English-like text: about 2.2 characters per token

        String dataset = work.resolve("bpe").toString();
        var manifest = tokenize(QUIET, "input=" + corpus, "output=" + dataset, "tokenizer=bpe", "maxVocabulary=600",
                "validationFraction=0.1", "testFraction=0");
        String run = work.resolve("run").toString();
        var train = ConfigLoader.load(TrainConfig.class, TrainConfig.DEFAULTS, null, List.of("dataset=" + dataset,
                "output=" + run, "model.embedding=16", "model.hidden=64", "seqLen=32", "tbptt=32", "batchSize=16",
                "epochs=1", "report=false"));
        new TrainJob(sc, storage, train, QUIET).run(false, false);
        var evaluate = ConfigLoader.load(EvaluateConfig.class, EvaluateConfig.DEFAULTS, null, List.of(
                "checkpoint=" + run, "dataset=" + dataset));
        var report = EvaluateJob.run(sc, storage, evaluate, true, QUIET).evaluation();
        System.out.printf("TokenizeIT: BPE %.4f nats/token, %.3f characters/token, %.4f bits/char over %,d tokens%n",
                report.natsPerToken(), manifest.charactersPerToken(Split.validation), report.bitsPerCharacter(), report.tokens());

        assertThat(report.tokenizer()).isEqualTo("bpe-v1");
        assertThat(report.natsPerCharacter()).isCloseTo(report.natsPerToken() / manifest.charactersPerToken(Split.validation),
                within(1e-9));
        // One short epoch of a small model (measured 3.09 bits/char): far from trained, but clearly better than a
        // uniform guess over the 600 tokens, spread over the characters a token stands for (about 4.3 bits/char).
        double uniform = Math.log(600) / Math.log(2) / manifest.charactersPerToken(Split.validation);
        assertThat(report.bitsPerCharacter()).isBetween(1.0, uniform - 0.3);
        var checkpoint = CheckpointStore.load(storage, CheckpointStore.resolve(storage, storage.qualify(run), CheckpointStore.LATEST));
        var generator = new Generator(checkpoint.network(), checkpoint.vocabulary());
        String generated = generator.generate(generator.encodePrompt("NELRIC:\n", UnknownCharacters.fail), 50,
                new Sampler(1.0, 3));
        assertThat(generated).isNotEmpty();
    }
}
