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
    public static final GenerateConfig DEFAULTS = new GenerateConfig("", "", 500, Strategy.sample, 0.8, 0, 1.0, 5,
            0.0, 1, "", 7, UnknownCharacters.unk);

    public GenerateConfig {
        Checks.atLeast("length", length, 0);
        if (strategy == null) {
            throw new LmpipeException("strategy must be one of " + List.of(Strategy.values()));
        }
        sampling(temperature, topK, topP);
        Checks.positive("beam", beam);
        if (!(lengthNormalisation >= 0)) {
            throw new LmpipeException("lengthNormalisation must be 0 or more, got " + lengthNormalisation);
        }
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
