package dev.lmpipe.generate;

import dev.lmpipe.LmpipeException;
import dev.lmpipe.config.Checks;

import java.util.List;

/**
 * Settings of {@code lmpipe generate}.
 *
 * @param checkpoint          a checkpoint directory, or a run directory (its best checkpoint)
 * @param prompt              text the model is primed with; empty: a newline
 * @param length              at most this many characters after the prompt
 * @param strategy            sample, greedy or beam
 * @param temperature         sampling temperature; 0 is greedy
 * @param topK                sample among the k most likely characters only (0: all)
 * @param topP                sample from the smallest set of characters whose mass reaches p (1: all)
 * @param beam                beam width for strategy beam
 * @param lengthNormalisation beam search ranks finished texts by logP / length^alpha (0: plain logP)
 * @param numSamples          texts to produce (samples with seeds seed, seed+1, …; or the n best beams)
 * @param stopAt              stop a text right after this string appears (empty: never)
 * @param seed                sampling seed
 * @param unknown             prompt characters outside the vocabulary: {@code unk} (warn) or {@code fail}
 */
public record GenerateConfig(String checkpoint, String prompt, int length, Strategy strategy, double temperature,
                             int topK, double topP, int beam, double lengthNormalisation, int numSamples,
                             String stopAt, long seed, UnknownCharacters unknown) {
    // The default of every setting, one per line (NamedDefaultsTest holds DEFAULTS to these names).
    private static final String CHECKPOINT = "";                    // required
    private static final String PROMPT = "";                        // a newline
    private static final int LENGTH = 500;                          // characters after the prompt, at most
    private static final Strategy STRATEGY = Strategy.sample;
    private static final double TEMPERATURE = 0.8;                  // a little more conservative than the model
    private static final int TOP_K = 0;                             // every character
    private static final double TOP_P = 1.0;                        // every character
    private static final int BEAM = 5;                              // beam width
    private static final double LENGTH_NORMALISATION = 0.0;         // rank beams by plain log-probability
    private static final int NUM_SAMPLES = 1;
    private static final String STOP_AT = "";                       // never stop early
    private static final long SEED = 7;
    private static final UnknownCharacters UNKNOWN = UnknownCharacters.unk;

    public static final GenerateConfig DEFAULTS = new GenerateConfig(CHECKPOINT, PROMPT, LENGTH, STRATEGY, TEMPERATURE,
            TOP_K, TOP_P, BEAM, LENGTH_NORMALISATION, NUM_SAMPLES, STOP_AT, SEED, UNKNOWN);

    public GenerateConfig {
        Checks.atLeast("length", length, 0);
        if (strategy == null) {
            throw new LmpipeException("strategy must be one of " + List.of(Strategy.values()));
        }
        sampling(temperature, topK, topP);
        Checks.positive("beam", beam);
        Checks.atLeast("lengthNormalisation", lengthNormalisation, 0.0);
        Checks.positive("numSamples", numSamples);
        if (unknown == null) {
            throw new LmpipeException("unknown must be one of [unk, fail]");
        }
    }

    public Sampling sampling() {
        return sampling(temperature, topK, topP);
    }

    private static Sampling sampling(double temperature, int topK, double topP) {
        return new Sampling(temperature, topK, topP);
    }

    public GenerateConfig requireComplete() {
        Checks.present("checkpoint", checkpoint);
        return this;
    }

    /** The same settings with another strategy and sampling, for comparisons. */
    public GenerateConfig with(Strategy strategy, Sampling sampling, int beam) {
        return new GenerateConfig(checkpoint, prompt, length, strategy, sampling.temperature(), sampling.topK(),
                sampling.topP(), beam, lengthNormalisation, 1, stopAt, seed, unknown);
    }
}
