package dev.lmpipe;

import dev.lmpipe.config.Json;
import dev.lmpipe.data.Manifest;
import dev.lmpipe.data.ShardInfo;
import dev.lmpipe.data.Shards;
import dev.lmpipe.generate.Generator;
import dev.lmpipe.generate.UnknownCharacters;
import dev.lmpipe.storage.Storage;
import dev.lmpipe.train.CheckpointStore;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * A dataset and a checkpoint written by lmpipe 0.1.0 (shard format 1, manifest format 1), kept as fixtures in
 * {@code src/test/resources/golden/v1}: a change of format that would strand users' saved datasets or models
 * fails here. The fixtures were made with
 * {@code lmpipe tokenize text.txt --set blockChars=512 --set shardTokens=4096 --set validationFraction=0.1
 * --set testFraction=0.1} on the first 12,000 bytes of data-samples/sample.txt, then
 * {@code lmpipe train --set epochs=1 --set model.embedding=4 --set model.hidden=8 --set batchSize=8
 * --set seqLen=16 --set tbptt=16}; {@code expected.json} holds the checkpoint's next-character distribution
 * after {@link #PROMPT}, as computed when the fixtures were made.
 */
class GoldenFormatTest {
    private static final Path GOLDEN = Path.of("src", "test", "resources", "golden", "v1");
    private static final String PROMPT = "Captain's log";

    record Expected(String prompt, float[] distribution) {
    }

    private final Storage storage = new Storage();

    @Test
    void datasetOfFormatOneStillReadsAndVerifies() {
        String dataset = GOLDEN.resolve("dataset").toAbsolutePath().toString();
        Manifest manifest = Manifest.read(storage, dataset);
        assertThat(manifest.format()).isEqualTo(1);
        assertThat(manifest.vocabulary().size()).isEqualTo(78);
        assertThat(manifest.shards()).hasSize(5);
        // Settings newer than the manifest read back as their defaults.
        assertThat(manifest.config().include()).containsExactly("*.txt", "*.gz", "*.bz2");
        assertThat(manifest.config().exclude()).isEmpty();
        long tokens = 0;
        for (ShardInfo shard : manifest.shards()) {
            int[] ids = Shards.read(storage, dataset, shard);
            assertThat(ids).hasSize((int) shard.tokens());
            assertThat(java.util.Arrays.stream(ids).max().orElse(0)).isLessThan(manifest.vocabulary().size());
            tokens += ids.length;
        }
        assertThat(tokens).isEqualTo(11_958);
    }

    @Test
    void checkpointOfFormatOneStillLoadsAndPredictsAsBefore() throws Exception {
        var checkpoint = CheckpointStore.load(storage, GOLDEN.resolve("checkpoint").toAbsolutePath().toString());
        assertThat(checkpoint.state().epoch()).isEqualTo(1);
        assertThat(checkpoint.vocabulary()).isEqualTo(
                Manifest.read(storage, GOLDEN.resolve("dataset").toAbsolutePath().toString()).vocabulary());

        var generator = new Generator(checkpoint.network(), checkpoint.vocabulary());
        float[] distribution = generator.distributionAfter(generator.encodePrompt(PROMPT, UnknownCharacters.fail));
        Path expectedFile = GOLDEN.resolve("expected.json");
        if (Boolean.getBoolean("lmpipe.golden.write")) {
            Files.write(expectedFile, Json.write(new Expected(PROMPT, distribution)));
        }
        var expected = Json.read(Files.readAllBytes(expectedFile), Expected.class);
        assertThat(expected.prompt()).isEqualTo(PROMPT);
        // Same float32 network on the same input: only summation order could differ, far below 1e-6.
        for (int i = 0; i < distribution.length; i++) {
            assertThat(distribution[i]).isCloseTo(expected.distribution()[i], within(1e-6f));
        }
    }
}
