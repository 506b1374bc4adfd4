package dev.lmpipe;

import dev.lmpipe.config.Json;
import dev.lmpipe.data.Manifest;
import dev.lmpipe.data.ShardInfo;
import dev.lmpipe.data.Shards;
import dev.lmpipe.data.Split;
import dev.lmpipe.eval.Evaluator;
import dev.lmpipe.eval.LossTotals;
import dev.lmpipe.generate.Generator;
import dev.lmpipe.generate.UnknownCharacters;
import dev.lmpipe.model.ModelKind;
import dev.lmpipe.storage.Storage;
import dev.lmpipe.train.Checkpoint;
import dev.lmpipe.train.CheckpointStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.assertj.core.api.Assertions.within;

/**
 * Datasets and checkpoints written by earlier versions of lmpipe, kept as fixtures in
 * {@code src/test/resources/golden}: a change that would strand users' saved datasets or models fails here.
 * <ul>
 *   <li>{@code v1}: shard and manifest format 1 and an LSTM of plain DL4J layers (lmpipe 0.1.0), made with
 *   {@code lmpipe tokenize text.txt --set blockChars=512 --set shardTokens=4096 --set validationFraction=0.1
 *   --set testFraction=0.1} on the first 12,000 bytes of data-samples/sample.txt, then {@code lmpipe train
 *   --set epochs=1 --set model.embedding=4 --set model.hidden=8 --set batchSize=8 --set seqLen=16 --set tbptt=16}.
 *   <li>{@code v2}: manifest format 2 and one checkpoint of each model kind (LSTM, GPT, MLP, each with dropout
 *   and two layers where the kind has them), whose configurations name lmpipe's own layer and updater classes:
 *   written by {@code golden/make-v2.sh}.
 * </ul>
 * Each checkpoint is checked by what it predicts: its next-character distribution after {@link #PROMPT} as
 * recorded when the fixture was made ({@code expected*.json}), and its loss on the fixture's validation split as
 * the training job measured it ({@code state.json}), which no switch rewrites. With
 * {@code -Dlmpipe.golden.write=true} the test records the distributions of the code as it is and then fails, so
 * that a rewrite is always a deliberate, reviewed change and never a passing run.
 */
class GoldenFormatTest {
    private static final Path GOLDEN = Path.of("src", "test", "resources", "golden");
    private static final String PROMPT = "Captain's log";
    private static final boolean WRITE = Boolean.getBoolean("lmpipe.golden.write");
    /**
     * The same float32 network on the same input: only the summation order of the machine's BLAS and vector
     * units can differ (AVX2 against AVX-512), which moves a probability of about 0.01 by well under 1e-6.
     */
    private static final float PROBABILITY_TOLERANCE = 1e-6f;

    record Expected(String prompt, float[] distribution) {
    }

    private final Storage storage = new Storage();

    @Test
    void datasetOfFormatOneStillReadsAndVerifies() {
        String dataset = fixture("v1/dataset");
        Manifest manifest = Manifest.read(storage, dataset);
        assertThat(manifest.format()).isEqualTo(1);
        assertThat(manifest.vocabulary().size()).isEqualTo(78);
        assertThat(manifest.shards()).hasSize(5);
        // Settings newer than the manifest read back as their defaults.
        assertThat(manifest.config().include()).containsExactly("*.txt", "*.gz", "*.bz2");
        assertThat(manifest.config().exclude()).isEmpty();
        assertThat(readAll(dataset, manifest)).isEqualTo(11_958);
    }

    @Test
    void datasetOfFormatTwoStillReadsAndVerifies() {
        String dataset = fixture("v2/dataset");
        Manifest manifest = Manifest.read(storage, dataset);
        assertThat(manifest.format()).isEqualTo(2);
        assertThat(manifest.shards(Split.train)).hasSize(3);
        assertThat(manifest.shards(Split.validation)).hasSize(1);
        assertThat(manifest.shards(Split.test)).hasSize(1);
        assertThat(readAll(dataset, manifest)).isEqualTo(manifest.shards().stream().mapToLong(ShardInfo::tokens).sum());
    }

    @Test
    void checkpointOfFormatOneStillLoadsAndPredictsAsBefore() throws Exception {
        var checkpoint = CheckpointStore.load(storage, fixture("v1/checkpoint"));
        assertThat(checkpoint.state().epoch()).isEqualTo(1);
        assertThat(checkpoint.vocabulary()).isEqualTo(Manifest.read(storage, fixture("v1/dataset")).vocabulary());
        checkPredictions(checkpoint, GOLDEN.resolve("v1/expected.json"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"lstm", "transformer", "mlp"})
    void checkpointOfFormatTwoStillLoadsAndPredictsAsBefore(String kind) throws Exception {
        String name = kind.equals("transformer") ? "gpt" : kind;
        var checkpoint = CheckpointStore.load(storage, fixture("v2/" + name));
        assertThat(checkpoint.state().config().model().kind()).isEqualTo(ModelKind.valueOf(kind));
        String dataset = fixture("v2/dataset");
        Manifest manifest = Manifest.read(storage, dataset);
        assertThat(checkpoint.vocabulary()).isEqualTo(manifest.vocabulary());

        // The loss the training job measured on the validation split, computed again from the loaded network:
        // evaluation slices start on window boundaries, so evaluating each shard whole reads the same windows.
        int seqLen = checkpoint.state().config().seqLen();
        var totals = new LossTotals(manifest.vocabulary().size());
        for (ShardInfo shard : manifest.shards(Split.validation)) {
            Evaluator.addLoss(checkpoint.network(), Shards.read(storage, dataset, shard), seqLen, 64, totals);
        }
        // Float32 probabilities, summed in double: the job evaluated in other minibatches (evalBatchSize) and merged
        // its slices in Spark's order, which moves the mean by a few 1e-9 nats; a changed network moves it by far more.
        assertThat(totals.natsPerCharacter()).isCloseTo(checkpoint.state().validationLoss(), within(1e-7));

        checkPredictions(checkpoint, GOLDEN.resolve("v2/expected-" + name + ".json"));
    }

    private void checkPredictions(Checkpoint checkpoint, Path expectedFile) throws Exception {
        var generator = new Generator(checkpoint.network(), checkpoint.vocabulary(), checkpoint.spec().window());
        float[] distribution = generator.distributionAfter(generator.encodePrompt(PROMPT, UnknownCharacters.fail));
        if (WRITE) {
            Files.write(expectedFile, Json.write(new Expected(PROMPT, distribution)));
            fail("rewrote " + expectedFile + "; review the change, run again without -Dlmpipe.golden.write,"
                    + " and commit the fixtures only if it passes");
        }
        var expected = Json.read(Files.readAllBytes(expectedFile), Expected.class);
        assertThat(expected.prompt()).isEqualTo(PROMPT);
        assertThat(distribution).hasSameSizeAs(expected.distribution());
        for (int i = 0; i < distribution.length; i++) {
            assertThat(distribution[i]).as("probability of token %d", i)
                    .isCloseTo(expected.distribution()[i], within(PROBABILITY_TOLERANCE));
        }
    }

    private long readAll(String dataset, Manifest manifest) {
        long tokens = 0;
        for (ShardInfo shard : manifest.shards()) {
            int[] ids = Shards.read(storage, dataset, shard);
            assertThat(ids).hasSize((int) shard.tokens());
            assertThat(java.util.Arrays.stream(ids).max().orElse(0)).isLessThan(manifest.vocabulary().size());
            tokens += ids.length;
        }
        return tokens;
    }

    private static String fixture(String path) {
        return GOLDEN.resolve(path).toAbsolutePath().toString();
    }
}
