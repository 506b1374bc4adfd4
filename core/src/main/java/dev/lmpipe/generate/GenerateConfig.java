package dev.lmpipe.generate;

import dev.lmpipe.LmpipeException;
import dev.lmpipe.config.Checks;

/**
 * Settings of {@code lmpipe generate}.
 *
 * @param checkpoint  a checkpoint directory, or a run directory (its best checkpoint)
 * @param prompt      text the model is primed with; empty: a newline
 * @param length      characters to generate after the prompt
 * @param temperature 0 for greedy; 1 samples the model's distribution as it is
 * @param seed        sampling seed
 * @param unknown     prompt characters outside the vocabulary: {@code unk} (warn) or {@code fail}
 */
public record GenerateConfig(String checkpoint, String prompt, int length, double temperature, long seed,
                             UnknownCharacters unknown) {
    public static final GenerateConfig DEFAULTS = new GenerateConfig("", "", 500, 0.8, 7, UnknownCharacters.unk);

    public GenerateConfig {
        Checks.atLeast("length", length, 0);
        if (temperature != 0) {
            Checks.positive("temperature", temperature);
        }
        if (unknown == null) {
            throw new LmpipeException("unknown must be one of [unk, fail]");
        }
    }

    public GenerateConfig requireComplete() {
        Checks.present("checkpoint", checkpoint);
        return this;
    }
}
