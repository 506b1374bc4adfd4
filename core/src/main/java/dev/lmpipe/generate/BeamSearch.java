package dev.lmpipe.generate;

import dev.lmpipe.LmpipeException;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Beam search: keeps the {@code width} most probable continuations at every step and returns the best ones
 * with their log-probabilities. With length normalisation ({@code alpha > 0}) a finished hypothesis is ranked
 * by {@code logP / length^alpha}, so that hypotheses that stop early are not favoured merely for being short.
 */
public final class BeamSearch {
    private final int width;
    private final double alpha;

    public BeamSearch(int width, double alpha) {
        if (width < 1) {
            throw new LmpipeException("beam width must be at least 1, got " + width);
        }
        if (alpha < 0) {
            throw new LmpipeException("length normalisation alpha must be 0 or more, got " + alpha);
        }
        this.width = width;
        this.alpha = alpha;
    }

    /** One continuation: its tokens (after the prompt) and their total log-probability in nats. */
    public record Hypothesis(int[] tokens, double logProbability) {
        public double score(double alpha) {
            return alpha == 0 ? logProbability : logProbability / Math.pow(Math.max(1, tokens.length), alpha);
        }
    }

    private record Beam<S>(int[] tokens, double logProbability, S state) {
    }

    /**
     * Searches up to {@code maxTokens} tokens after the prompt; a hypothesis ends early when {@code finished}
     * holds for its tokens so far. Returns at most {@code count} hypotheses, best first.
     */
    public <S extends LanguageModel.State> List<Hypothesis> search(LanguageModel<S> model, int[] prompt, int maxTokens,
                                                                    int count, java.util.function.Predicate<int[]> finished) {
        var beams = new ArrayList<Beam<S>>(List.of(new Beam<>(new int[0], 0.0, model.start(prompt))));
        var done = new ArrayList<Hypothesis>();
        for (int step = 0; step < maxTokens && !beams.isEmpty(); step++) {
            var candidates = new ArrayList<Beam<S>>();
            for (Beam<S> beam : beams) {
                float[] next = beam.state().next();
                // The global best `width` can take at most `width` tokens from any one beam.
                for (int token : topTokens(next, width)) {
                    int[] tokens = java.util.Arrays.copyOf(beam.tokens(), beam.tokens().length + 1);
                    tokens[tokens.length - 1] = token;
                    candidates.add(new Beam<>(tokens, beam.logProbability() + Math.log(next[token]), beam.state()));
                }
            }
            candidates.sort(Comparator.comparingDouble((Beam<S> b) -> -b.logProbability()));
            beams.clear();
            for (Beam<S> candidate : candidates.subList(0, Math.min(width, candidates.size()))) {
                if (finished.test(candidate.tokens()) || step == maxTokens - 1) {
                    done.add(new Hypothesis(candidate.tokens(), candidate.logProbability()));
                } else {
                    int last = candidate.tokens()[candidate.tokens().length - 1];
                    beams.add(new Beam<>(candidate.tokens(), candidate.logProbability(), model.advance(candidate.state(), last)));
                }
            }
        }
        done.sort(Comparator.comparingDouble((Hypothesis h) -> -h.score(alpha)));
        return List.copyOf(done.subList(0, Math.min(count, done.size())));
    }

    /** Ids of the {@code k} most probable tokens with non-zero probability. */
    static int[] topTokens(float[] probabilities, int k) {
        return java.util.stream.IntStream.range(0, probabilities.length)
                .filter(i -> probabilities[i] > 0)
                .boxed()
                .sorted(Comparator.comparingDouble((Integer i) -> -probabilities[i]).thenComparingInt(i -> i))
                .limit(k)
                .mapToInt(Integer::intValue)
                .toArray();
    }

    /** A stop condition that never ends a hypothesis early. */
    public static java.util.function.Predicate<int[]> never() {
        return tokens -> false;
    }
}
