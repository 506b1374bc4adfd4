package dev.lmpipe.cli;

import dev.lmpipe.generate.BeamSearch;
import dev.lmpipe.generate.Generator;
import dev.lmpipe.generate.UnknownCharacters;
import dev.lmpipe.storage.Storage;
import dev.lmpipe.train.CheckpointStore;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * {@code lmpipe generate} on a trained LSTM and a trained GPT, through the command line: beam search finds
 * continuations whose log-probabilities are what the model gives them, width 1 is greedy, {@code --compare} runs
 * every standard strategy, and its mistakes get one-line errors.
 */
class GenerateCommandIT {
    private static final String PROMPT = "the cat ";

    @TempDir
    static Path work;

    @BeforeAll
    static void trainBothModels() throws Exception {
        // Sentences of a small grammar: frequent words and fixed pairs a small model learns in two epochs.
        var random = new Random(3);
        String[] subjects = {"the cat", "the dog", "a bird", "my friend"};
        String[] verbs = {"sat on", "looked at", "ran to", "slept by"};
        String[] objects = {"the mat.", "the door.", "a tree.", "the river."};
        var text = new StringBuilder();
        while (text.length() < 40_000) {
            text.append(subjects[random.nextInt(4)]).append(' ').append(verbs[random.nextInt(4)]).append(' ')
                    .append(objects[random.nextInt(4)]).append(random.nextInt(5) == 0 ? "\n" : " ");
        }
        Path corpus = work.resolve("sentences.txt");
        Files.writeString(corpus, text);
        String dataset = work.resolve("dataset").toString();
        assertThat(CommandRun.of("tokenize", corpus.toString(), "-o", dataset, "--set", "blockBytes=1024").exitCode()).isZero();
        assertThat(CommandRun.of("train", "-c", "../conf/train-lstm.conf", "-d", dataset, "-o", work.resolve("lstm").toString(),
                "--set", "epochs=2", "--set", "model.hidden=64", "--set", "model.embedding=16", "--set", "seqLen=32",
                "--set", "tbptt=32", "--set", "batchSize=16", "--set", "learningRate=0.01", "--set", "report=false")
                .exitCode()).isZero();
        assertThat(CommandRun.of("train", "-c", "../conf/train-transformer.conf", "-d", dataset, "-o",
                work.resolve("transformer").toString(), "--set", "epochs=2", "--set", "model.embedding=32",
                "--set", "model.layers=1", "--set", "model.heads=2", "--set", "model.block=32", "--set", "seqLen=32",
                "--set", "tbptt=32", "--set", "batchSize=16", "--set", "learningRate=0.005", "--set", "report=false")
                .exitCode()).isZero();
    }

    private static Generator generator(String model) {
        var storage = new Storage();
        var checkpoint = CheckpointStore.load(storage,
                CheckpointStore.resolve(storage, work.resolve(model).toString(), CheckpointStore.BEST));
        return new Generator(checkpoint.network(), checkpoint.vocabulary(), checkpoint.spec().window());
    }

    /** The model's log-probability of {@code text} after the prompt, one character at a time from scratch. */
    private static double logProbability(Generator generator, String text) {
        double total = 0;
        for (int i = 0; i < text.length(); i++) {
            int[] context = generator.encodePrompt(PROMPT + text.substring(0, i), UnknownCharacters.fail);
            int next = generator.encodePrompt(text.substring(i, i + 1), UnknownCharacters.fail)[0];
            total += Math.log(generator.distributionAfter(context)[next]);
        }
        return total;
    }

    @ParameterizedTest
    @ValueSource(strings = {"lstm", "transformer"})
    void beamSearchPrintsTheBestContinuationsWithTheirLogProbabilities(String model) {
        String checkpoint = work.resolve(model).toString();
        var result = CommandRun.of("generate", "--checkpoint", checkpoint, "-p", PROMPT, "-n", "30", "--beam", "4",
                "--num-samples", "3");
        assertThat(result.exitCode()).as(result.error()).isZero();

        var generator = generator(model);
        var beams = generator.beam(generator.encodePrompt(PROMPT, UnknownCharacters.fail), 30, new BeamSearch(4, 0), 3, "");
        assertThat(beams).hasSize(3);
        for (int i = 0; i < beams.size(); i++) {
            var beam = beams.get(i);
            assertThat(result.output()).contains(String.format("== %d of 3 (log-probability %.2f nats)%n%s%s%n", i + 1,
                    beam.logProbability(), PROMPT, beam.text()));
            // The score beam search kept is the model's own probability of the text, recomputed from scratch
            // (the search carries the model's state from character to character).
            assertThat(beam.logProbability()).isCloseTo(logProbability(generator, beam.text()), within(1e-3));
            if (i > 0) {
                assertThat(beam.logProbability()).isLessThanOrEqualTo(beams.get(i - 1).logProbability());
                assertThat(beam.text()).isNotEqualTo(beams.get(i - 1).text());
            }
        }
        // A model that learned the grammar continues "the cat " with one of its verbs.
        assertThat(beams.get(0).text()).matches("(?s)(sat on|looked at|ran to|slept by) .*");

        // A beam of one is greedy decoding.
        var greedy = CommandRun.of("generate", "--checkpoint", checkpoint, "-p", PROMPT, "-n", "30", "--strategy", "greedy");
        var widthOne = CommandRun.of("generate", "--checkpoint", checkpoint, "-p", PROMPT, "-n", "30", "--beam", "1");
        assertThat(widthOne.output()).isEqualTo(greedy.output()).startsWith(PROMPT);
    }

    @ParameterizedTest
    @ValueSource(strings = {"lstm", "transformer"})
    void compareRunsEveryStandardStrategy(String model) {
        var result = CommandRun.of("generate", "--checkpoint", work.resolve(model).toString(), "-p", PROMPT, "-n", "60", "--compare");
        assertThat(result.exitCode()).as(result.error()).isZero();
        List<String> rows = result.output().lines().filter(line -> line.startsWith("| ") && !line.startsWith("| strategy"))
                .toList();
        assertThat(rows).hasSize(7);
        assertThat(rows.get(0)).startsWith("| greedy | 60 |");
        assertThat(rows.get(6)).startsWith("| beam 5 | 60 |");
        // Every strategy's text is printed after its name, prompt first.
        assertThat(result.output().lines().filter(line -> line.startsWith("== "))).hasSize(7);
        assertThat(result.output()).contains("== greedy\n" + PROMPT, "== beam 5\n" + PROMPT);
    }
}
