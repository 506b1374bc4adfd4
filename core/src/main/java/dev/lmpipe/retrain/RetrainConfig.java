package dev.lmpipe.retrain;

import dev.lmpipe.config.Checks;
import dev.lmpipe.data.TokenizeConfig;
import dev.lmpipe.train.TrainConfig;

import java.util.List;

/**
 * Settings of {@code lmpipe retrain}.
 *
 * @param home     the model home: {@code champion}, {@code decisions.jsonl} and one directory per run under
 *                 {@code runs/}
 * @param input    the new data: paths or globs, as for tokenize
 * @param margin   promote the challenger only if its held-out bits per character is lower than the champion's
 *                 by more than this
 * @param tokenize how the new data is tokenized ({@code tokenize.*}; input, output and vocabFrom are set by the
 *                 job: a home with a champion always tokenizes with the champion's vocabulary)
 * @param train    how the challenger trains ({@code train.*}; dataset and output are set by the job, and the
 *                 model is the champion's, which it starts from)
 */
public record RetrainConfig(String home, List<String> input, double margin, TokenizeConfig tokenize, TrainConfig train) {
    private static final String HOME = "";                  // required
    private static final List<String> INPUT = List.of();    // required
    private static final double MARGIN = 0.01;              // bits per character

    public static final RetrainConfig DEFAULTS = new RetrainConfig(HOME, INPUT, MARGIN, TokenizeConfig.DEFAULTS,
            TrainConfig.DEFAULTS);

    public RetrainConfig {
        Checks.atLeast("margin", margin, 0.0);
        input = input == null ? List.of() : List.copyOf(input);
    }

    public RetrainConfig requireComplete() {
        Checks.present("home", home);
        if (input.isEmpty()) {
            throw new dev.lmpipe.LmpipeException("input: give the new data to train on (--set input=PATH or arguments)");
        }
        return this;
    }
}
