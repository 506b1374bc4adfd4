package dev.lmpipe.cli;

import dev.lmpipe.model.kernel.Kernels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every kind of bad input gets a one-line message naming the thing, exit code 1, and leaves nothing
 * half-written: no output directory and no staging directory beside it.
 */
class BadInputIT {
    @TempDir
    Path work;

    private Path text(String name, String content) throws IOException {
        Path file = work.resolve(name);
        Files.createDirectories(file.getParent());
        Files.writeString(file, content);
        return file;
    }

    private void assertNothingWritten(Path output) throws IOException {
        assertThat(output).doesNotExist();
        try (Stream<Path> siblings = Files.list(output.getParent())) {
            assertThat(siblings.map(p -> p.getFileName().toString())).noneMatch(n -> n.contains(".tmp-"));
        }
    }

    @Test
    void emptyCorpusIsRefused() throws IOException {
        Path empty = text("empty.txt", "");
        Path out = work.resolve("out");
        var result = CommandRun.of("tokenize", empty.toString(), "-o", out.toString());
        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.error()).contains("empty corpus", "empty.txt");
        assertNothingWritten(out);
    }

    @Test
    void missingInputIsNamed() throws IOException {
        Path out = work.resolve("out");
        var result = CommandRun.of("tokenize", work.resolve("nope.txt").toString(), "-o", out.toString());
        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.error()).contains("input not found", "nope.txt");
        assertNothingWritten(out);
    }

    @Test
    void folderWithoutTextIsNamed() throws IOException {
        Path folder = work.resolve("pictures");
        Files.createDirectories(folder);
        Files.write(folder.resolve("cat.png"), new byte[]{(byte) 0x89, 'P', 'N', 'G'});
        Path out = work.resolve("out");
        var result = CommandRun.of("tokenize", folder.toString(), "-o", out.toString());
        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.error()).contains("no files under", "pictures", "include = *.txt");
        assertNothingWritten(out);
    }

    @Test
    void binaryFileIsNamedWithItsOffset() throws IOException {
        Path binary = work.resolve("data.txt");
        Files.write(binary, new byte[]{'a', 'b', 0, 1, 2, 3});
        Path out = work.resolve("out");
        var result = CommandRun.of("tokenize", binary.toString(), "-o", out.toString());
        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.error()).contains("binary", "data.txt", "offset 2");
        assertNothingWritten(out);
    }

    @Test
    void invalidUtf8FailsWithFileAndByteOffsetWhenConfigured() throws IOException {
        Path gz = work.resolve("latin1.txt.gz");
        try (var out = new GZIPOutputStream(Files.newOutputStream(gz))) {
            out.write("caf".getBytes(StandardCharsets.US_ASCII));
            out.write(0xE9); // é in Latin-1, invalid as UTF-8
            out.write(" au lait\n".repeat(2000).getBytes(StandardCharsets.US_ASCII));
        }
        Path out = work.resolve("out");
        var result = CommandRun.of("tokenize", gz.toString(), "-o", out.toString(), "--set", "invalidUtf8=fail");
        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.error()).contains("invalid UTF-8", "latin1.txt.gz", "byte offset 3");
        assertNothingWritten(out);
    }

    @Test
    void existingOutputIsRefusedAndKeptUnlessOverwrite() throws IOException {
        Path corpus = text("corpus.txt", "hello world\n".repeat(3000));
        Path out = work.resolve("out");
        Files.createDirectories(out);
        Files.writeString(out.resolve("precious.txt"), "keep me");
        var refused = CommandRun.of("tokenize", corpus.toString(), "-o", out.toString());
        assertThat(refused.exitCode()).isEqualTo(1);
        assertThat(refused.error()).contains("already exists", "--overwrite");
        assertThat(out.resolve("precious.txt")).hasContent("keep me");

        var replaced = CommandRun.of("tokenize", corpus.toString(), "-o", out.toString(), "--overwrite", "--set", "blockBytes=1024");
        assertThat(replaced.exitCode()).isZero();
        assertThat(out.resolve("precious.txt")).doesNotExist();
        assertThat(out.resolve("_SUCCESS")).exists();
    }

    @Test
    void typoInSettingIsNamedWithWhereItCameFrom() throws IOException {
        Path conf = text("train.conf", "seqLen = 32\nmodle.hidden = 64\n");
        var fromFile = CommandRun.of("train", "-c", conf.toString(), "-d", "x", "-o", work.resolve("run").toString());
        assertThat(fromFile.exitCode()).isEqualTo(1);
        assertThat(fromFile.error()).contains("unknown setting 'modle.hidden'", "train.conf line 2");

        var fromCommandLine = CommandRun.of("train", "--set", "learningRate=fast", "-d", "x", "-o", work.resolve("run").toString());
        assertThat(fromCommandLine.exitCode()).isEqualTo(1);
        assertThat(fromCommandLine.error()).contains("learningRate", "fast", "expected a number");

        var outOfRange = CommandRun.of("train", "--set", "model.dropout=1.5", "-d", "x", "-o", work.resolve("run").toString());
        assertThat(outOfRange.exitCode()).isEqualTo(1);
        assertThat(outOfRange.error()).contains("model.dropout", "1.5");
        assertThat(work.resolve("run")).doesNotExist();
    }

    @Test
    void checkpointMeetsAnotherVocabularyAndIsRefused() throws IOException {
        Path abc = text("abc.txt", "abcabcabd\n".repeat(2000));
        Path xyz = text("xyz.txt", "xyzxyzxyw\n".repeat(2000));
        Path datasetA = work.resolve("a");
        Path datasetB = work.resolve("b");
        Path run = work.resolve("run");
        assertThat(CommandRun.of("tokenize", abc.toString(), "-o", datasetA.toString(), "--set", "blockBytes=256").exitCode()).isZero();
        assertThat(CommandRun.of("tokenize", xyz.toString(), "-o", datasetB.toString(), "--set", "blockBytes=256").exitCode()).isZero();
        assertThat(CommandRun.of("train", "-d", datasetA.toString(), "-o", run.toString(), "--set", "epochs=1",
                "--set", "model.hidden=8", "--set", "model.embedding=4", "--set", "batchSize=8").exitCode()).isZero();

        // train ends by writing run/report for dataset A; a refused evaluate must leave it as it was.
        byte[] report = Files.readAllBytes(run.resolve("report").resolve("report.json"));
        var evaluate = CommandRun.of("evaluate", "--checkpoint", run.toString(), "-d", datasetB.toString());
        assertThat(evaluate.exitCode()).isEqualTo(1);
        assertThat(evaluate.error()).contains("another vocabulary", datasetB.toString());
        assertThat(run.resolve("report").resolve("report.json")).hasBinaryContent(report);

        var resume = CommandRun.of("train", "-d", datasetB.toString(), "-o", run.toString(), "--resume", "--set", "epochs=2",
                "--set", "model.hidden=8", "--set", "model.embedding=4", "--set", "batchSize=8");
        assertThat(resume.exitCode()).isEqualTo(1);
        assertThat(resume.error()).contains("another vocabulary");
        assertThat(run.resolve("checkpoints").resolve("epoch-0002")).doesNotExist();
    }

    @Test
    void unknownKernelsPropertyIsNamed() {
        String before = System.getProperty(Kernels.PROPERTY);
        System.setProperty(Kernels.PROPERTY, "cuda");
        try {
            var result = CommandRun.of("train", "-d", "x", "-o", work.resolve("run").toString());
            assertThat(result.exitCode()).isEqualTo(1);
            assertThat(result.error()).contains("-Dlmpipe.kernels=cuda", "[fast, dl4j]").doesNotContain("\tat ");
            assertThat(work.resolve("run")).doesNotExist();
        } finally {
            if (before == null) {
                System.clearProperty(Kernels.PROPERTY);
            } else {
                System.setProperty(Kernels.PROPERTY, before);
            }
        }
    }

    /** A small trained run on its own dataset, shared by the tests below that need a checkpoint. */
    @TempDir
    static Path shared;
    private static Path dataset;
    private static Path run;

    private Path trainedRun() throws IOException {
        if (run == null) {
            Path corpus = shared.resolve("corpus.txt");
            Files.writeString(corpus, "a small corpus for a small model.\n".repeat(400));
            dataset = shared.resolve("dataset");
            Path trained = shared.resolve("run");
            assertThat(CommandRun.of("tokenize", corpus.toString(), "-o", dataset.toString(), "--set", "blockBytes=256").exitCode())
                    .isZero();
            assertThat(CommandRun.of("train", "-d", dataset.toString(), "-o", trained.toString(), "--set", "epochs=1",
                    "--set", "model.hidden=8", "--set", "model.embedding=4", "--set", "batchSize=8", "--set", "report=false")
                    .exitCode()).isZero();
            run = trained;
        }
        return run;
    }

    /** A one-line error, exit code 1, without a stack trace, that contains every part. */
    private static void assertOneLineError(CommandRun result, String... parts) {
        assertThat(result.exitCode()).as(result.error()).isEqualTo(1);
        assertThat(result.error().strip()).contains(parts).doesNotContain("\n").doesNotContain("Exception");
    }

    @Test
    void generateNamesAMissingCheckpoint() {
        var result = CommandRun.of("generate", "--checkpoint", work.resolve("nope").toString());
        assertOneLineError(result, "no checkpoint at", "nope", "has lmpipe train or retrain run there?");
    }

    @Test
    void generateNamesPromptCharactersOutsideTheVocabularyWhenToldToFail() throws IOException {
        var result = CommandRun.of("generate", "--checkpoint", trainedRun().toString(), "-p", "Zebra", "--set", "unknown=fail");
        assertOneLineError(result, "outside the model's vocabulary", "'Z' (U+005A)", "set unknown = unk");
    }

    @Test
    void generateRefusesABeamOfNoWidth() throws IOException {
        var result = CommandRun.of("generate", "--checkpoint", trainedRun().toString(), "--beam", "0");
        assertOneLineError(result, "beam must be positive, got 0");
    }

    @Test
    void aCheckpointWhoseModelWasCutShortIsCorruptForEvaluateAndGenerate() throws IOException {
        Path copy = work.resolve("copy");
        try (Stream<Path> files = Files.walk(trainedRun())) {
            for (Path file : files.toList()) {
                Path target = copy.resolve(trainedRun().relativize(file).toString());
                if (Files.isDirectory(file)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(file, target);
                }
            }
        }
        Path checkpoint;
        try (Stream<Path> checkpoints = Files.list(copy.resolve("checkpoints"))) {
            checkpoint = checkpoints.filter(Files::isDirectory).findFirst().orElseThrow();
        }
        Path model = checkpoint.resolve("model.zip");
        byte[] bytes = Files.readAllBytes(model);
        Files.write(model, java.util.Arrays.copyOf(bytes, bytes.length / 2));
        var generate = CommandRun.of("generate", "--checkpoint", checkpoint.toString());
        assertOneLineError(generate, "is corrupt", "model.zip", "does not match the size and checksum in state.json");
        Path report = work.resolve("report");
        var evaluate = CommandRun.of("evaluate", "--checkpoint", checkpoint.toString(), "-d", dataset.toString(),
                "--set", "output=" + report);
        assertOneLineError(evaluate, "is corrupt", "model.zip");
        assertNothingWritten(report);
    }

    @Test
    void trainAndEvaluateNameAMissingDataset() throws IOException {
        Path out = work.resolve("run");
        assertOneLineError(CommandRun.of("train", "-d", work.resolve("nope").toString(), "-o", out.toString()),
                "dataset not found", "nope", "run lmpipe tokenize first");
        assertNothingWritten(out);
        assertOneLineError(CommandRun.of("evaluate", "--checkpoint", trainedRun().toString(), "-d", work.resolve("nope").toString()),
                "dataset not found", "nope");
    }

    @Test
    void aShardChangedAfterTokenizeStopsTrainingBeforeItIsRead() throws IOException {
        trainedRun();
        Path changed = work.resolve("changed");
        Files.createDirectories(changed);
        try (Stream<Path> files = Files.list(dataset)) {
            for (Path file : files.toList()) {
                Files.copy(file, changed.resolve(file.getFileName()));
            }
        }
        Path shard = changed.resolve("train-00000-00000.shard");
        byte[] bytes = Files.readAllBytes(shard);
        bytes[100] ^= 0x5A;
        Files.write(shard, bytes);
        Path out = work.resolve("run");
        var result = CommandRun.of("train", "-d", changed.toString(), "-o", out.toString(), "--set", "epochs=1",
                "--set", "model.hidden=8", "--set", "model.embedding=4", "--set", "batchSize=8");
        assertOneLineError(result, "train-00000-00000.shard is corrupt", "manifest says", "re-run tokenize");
        assertNothingWritten(out);
    }

    @Test
    void reportNamesARunWithoutMetrics() throws IOException {
        Path out = work.resolve("comparison");
        var result = CommandRun.of("report", "--runs", work.toString(), "-o", out.toString());
        assertOneLineError(result, "has no metrics.jsonl", "is it an lmpipe train output?");
        assertNothingWritten(out);
    }

    @Test
    void retrainAsksForItsNewData() throws IOException {
        Path home = work.resolve("home");
        var result = CommandRun.of("retrain", "--home", home.toString());
        assertOneLineError(result, "give the new data to train on", "--set input=PATH");
        assertThat(home).doesNotExist();
    }

    @Test
    void unknownOptionIsAUsageError() {
        var result = CommandRun.of("tokenize", "--frobnicate");
        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.error()).contains("--frobnicate");
    }
}
