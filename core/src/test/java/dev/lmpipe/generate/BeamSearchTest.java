package dev.lmpipe.generate;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class BeamSearchTest {
    // Tokens: 0 start, 1 a, 2 b, 3 x, 4 y, 5 z.
    // After the start: a 0.6, b 0.4. After a: x 0.5, y 0.5. After b: z 1.0. After x, y, z: x, y, z alike.
    // Greedy takes a then x (0.6 × 0.5 = 0.30); the most probable two-token text is b z (0.40).
    private static final float[][] NEXT = {
            {0, 0.6f, 0.4f, 0, 0, 0},
            {0, 0, 0, 0.5f, 0.5f, 0},
            {0, 0, 0, 0, 0, 1.0f},
            {0, 0, 0, 1 / 3f, 1 / 3f, 1 / 3f},
            {0, 0, 0, 1 / 3f, 1 / 3f, 1 / 3f},
            {0, 0, 0, 1 / 3f, 1 / 3f, 1 / 3f}};

    /** A hand-built first-order model: the next distribution depends on the last token only. */
    record TableState(int last) implements LanguageModel.State {
        @Override
        public float[] next() {
            return NEXT[last];
        }
    }

    static final class TableModel implements LanguageModel<TableState> {
        int advances;

        @Override
        public TableState start(int[] prompt) {
            return new TableState(prompt[prompt.length - 1]);
        }

        @Override
        public TableState advance(TableState state, int token) {
            advances++;
            return new TableState(token);
        }
    }

    @Test
    void beamFindsTheMostProbableSequenceWhereGreedyDoesNot() {
        var model = new TableModel();
        var greedy = new BeamSearch(1, 0).search(model, new int[]{0}, 2, 1, BeamSearch.never()).get(0);
        assertThat(greedy.tokens()).containsExactly(1, 3);
        assertThat(greedy.logProbability()).isCloseTo(Math.log(0.3), within(1e-6));

        var beam = new BeamSearch(2, 0).search(model, new int[]{0}, 2, 2, BeamSearch.never());
        assertThat(beam.get(0).tokens()).containsExactly(2, 5);
        assertThat(beam.get(0).logProbability()).isCloseTo(Math.log(0.4), within(1e-6));
        assertThat(beam.get(1).logProbability()).isCloseTo(Math.log(0.3), within(1e-6));
    }

    @Test
    void hypothesesComeBestFirstAndAtMostTheAskedNumber() {
        var results = new BeamSearch(4, 0).search(new TableModel(), new int[]{0}, 3, 3, BeamSearch.never());
        assertThat(results).hasSize(3);
        for (int i = 1; i < results.size(); i++) {
            assertThat(results.get(i).logProbability()).isLessThanOrEqualTo(results.get(i - 1).logProbability());
        }
    }

    @Test
    void stopConditionEndsAHypothesisEarly() {
        // Stop right after z: b z ends at two tokens while others run to five.
        var results = new BeamSearch(3, 0).search(new TableModel(), new int[]{0}, 5, 3,
                tokens -> tokens[tokens.length - 1] == 5);
        assertThat(results.get(0).tokens()).containsExactly(2, 5);
    }

    @Test
    void lengthNormalisationRanksByLogProbabilityPerTokenPower() {
        var shortOne = new BeamSearch.Hypothesis(new int[]{1}, -1.0);
        var longOne = new BeamSearch.Hypothesis(new int[]{1, 2, 3, 4}, -2.0);
        assertThat(shortOne.score(0)).isGreaterThan(longOne.score(0));
        // With alpha 1 the long one has -0.5 per token against -1.0.
        assertThat(longOne.score(1)).isGreaterThan(shortOne.score(1));
    }

    @Test
    void topTokensSkipsImpossibleOnesAndBreaksTiesByLowerId() {
        assertThat(BeamSearch.topTokens(NEXT[3], 5)).containsExactly(3, 4, 5);
        assertThat(Arrays.stream(BeamSearch.topTokens(NEXT[0], 1)).boxed().toList()).isEqualTo(List.of(1));
    }
}
