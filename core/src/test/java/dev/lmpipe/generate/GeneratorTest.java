package dev.lmpipe.generate;

import dev.lmpipe.LmpipeException;
import dev.lmpipe.data.Minibatches;
import dev.lmpipe.model.LstmSpec;
import dev.lmpipe.model.Optimization;
import dev.lmpipe.text.Vocabulary;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class GeneratorTest {
    private static final Vocabulary VOCABULARY = new Vocabulary("\n abc🌊".codePoints().toArray());
    /**
     * Stepping one character at a time and running the whole sequence do the same float32 arithmetic in
     * different shapes, so they agree to rounding (about 1e-7); 1e-5 allows for that, while dropping the carried
     * state changes the distribution by more than 1e-3 (checked below).
     */
    private static final float SAME = 1e-5f;

    private MultiLayerNetwork network;
    private Generator generator;

    @BeforeEach
    void buildASmallNetwork() {
        network = new LstmSpec(8, 16, 1, 0.0).build(VOCABULARY.size(), new Optimization(0.02, 1.0, 12, 12, 7));
        generator = new Generator(network, VOCABULARY);
    }

    private static float[] step(MultiLayerNetwork network, int id) {
        INDArray output = network.rnnTimeStep(Nd4j.create(new float[]{id}, new long[]{1, 1, 1}, 'c'));
        return output.get(NDArrayIndex.point(0), NDArrayIndex.all(), NDArrayIndex.point(0)).dup().toFloatVector();
    }

    @Test
    void steppingOneCharacterAtATimeCarriesTheStateOfTheWholeSequence() {
        int[] prompt = generator.encodePrompt("abc cab\nba🌊", UnknownCharacters.fail);

        network.rnnClearPreviousState();
        float[] stepped = null;
        for (int id : prompt) {
            stepped = step(network, id);
        }
        network.rnnClearPreviousState();
        float[] whole = generator.distributionAfter(prompt);

        assertThat(whole).hasSize(VOCABULARY.size());
        for (int i = 0; i < whole.length; i++) {
            assertThat(stepped[i]).as("id %d", i).isCloseTo(whole[i], within(SAME));
        }
        // Without the carried state the last character alone gives a clearly different distribution.
        float[] fresh = generator.distributionAfter(new int[]{prompt[prompt.length - 1]});
        double difference = 0;
        for (int i = 0; i < whole.length; i++) {
            difference = Math.max(difference, Math.abs(fresh[i] - whole[i]));
        }
        assertThat(difference).isGreaterThan(1e-3);
    }

    @Test
    void greedyGenerationFollowsTheArgmaxOfTheDistributionAfterEachPrefix() {
        // Train briefly on "abc " so that the top choices are well separated from the runners-up.
        int[][] windows = new int[4][13];
        int[] cycle = VOCABULARY.encode("abc ".codePoints().toArray());
        for (int b = 0; b < windows.length; b++) {
            for (int t = 0; t < 13; t++) {
                windows[b][t] = cycle[(b + t) % cycle.length];
            }
        }
        var data = Minibatches.fromWindows(windows);
        for (int i = 0; i < 30; i++) {
            network.fit(data);
        }
        int[] prompt = generator.encodePrompt("ab", UnknownCharacters.fail);

        String text = generator.generate(prompt, 12, new Sampler(0, 1));

        int[] sequence = java.util.Arrays.copyOf(prompt, prompt.length + 12);
        int[] generated = text.codePoints().toArray();
        assertThat(generated).hasSize(12);
        for (int i = 0; i < 12; i++) {
            int length = prompt.length + i;
            float[] p = generator.distributionAfter(java.util.Arrays.copyOf(sequence, length));
            sequence[length] = VOCABULARY.id(generated[i]);
            assertThat(sequence[length]).as("character %d", i).isEqualTo(Sampler.argmax(p));
        }
    }

    @Test
    void greedyGenerationIsRepeatable() {
        int[] prompt = generator.encodePrompt("ab", UnknownCharacters.fail);
        String first = generator.generate(prompt, 40, new Sampler(0, 1));
        String second = generator.generate(prompt, 40, new Sampler(0, 99));
        assertThat(first).isEqualTo(second);
        assertThat(first.codePointCount(0, first.length())).isEqualTo(40);
    }

    @Test
    void samplingWithTheSameSeedIsRepeatable() {
        int[] prompt = generator.encodePrompt("ab", UnknownCharacters.fail);
        String first = generator.generate(prompt, 60, new Sampler(1.0, 5));
        String second = generator.generate(prompt, 60, new Sampler(1.0, 5));
        assertThat(first).isEqualTo(second);
    }

    @Test
    void encodePromptWithFailPolicyNamesTheUnknownCharacter() {
        assertThatThrownBy(() -> generator.encodePrompt("abz", UnknownCharacters.fail))
                .isInstanceOf(LmpipeException.class)
                .hasMessageContaining("'z'")
                .hasMessageContaining("U+007A");
    }

    @Test
    void encodePromptWithUnkPolicyMapsUnknownCharactersToIdZero() {
        int[] ids = generator.encodePrompt("az🌊x", UnknownCharacters.unk);
        assertThat(ids).containsExactly(VOCABULARY.id('a'), Vocabulary.UNK, VOCABULARY.id(0x1F30A), Vocabulary.UNK);
    }

    @Test
    void emptyPromptIsANewline() {
        assertThat(generator.encodePrompt("", UnknownCharacters.fail)).containsExactly(VOCABULARY.id('\n'));
    }
}
