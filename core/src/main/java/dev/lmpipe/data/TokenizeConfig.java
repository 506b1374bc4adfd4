package dev.lmpipe.data;

import dev.lmpipe.LmpipeException;
import dev.lmpipe.config.Checks;
import dev.lmpipe.text.InvalidUtf8;

import java.util.List;

/**
 * Settings of {@code lmpipe tokenize}.
 *
 * @param input              paths or globs of files or folders (.txt, .gz)
 * @param output             dataset directory to create
 * @param minCount           code points seen fewer times map to {@code <unk>}
 * @param maxVocabulary      at most this many token ids, {@code <unk>} included
 * @param validationFraction share of blocks for validation
 * @param testFraction       share of blocks for test
 * @param blockChars         code points per block, the unit of the train/validation/test split
 * @param shardTokens        at most this many tokens per shard (whole blocks)
 * @param seed               seed of the split
 * @param invalidUtf8        replace invalid bytes by U+FFFD, or fail naming the file and offset
 */
public record TokenizeConfig(List<String> input, String output, int minCount, int maxVocabulary,
                             double validationFraction, double testFraction, int blockChars, long shardTokens,
                             long seed, InvalidUtf8 invalidUtf8) {
    public static final TokenizeConfig DEFAULTS = new TokenizeConfig(List.of(), "", 1, 1024, 0.05, 0.05, 8192,
            8_000_000, 1234, InvalidUtf8.replace);

    public TokenizeConfig {
        input = List.copyOf(input);
        Checks.positive("minCount", minCount);
        Checks.atLeast("maxVocabulary", maxVocabulary, 2);
        if (maxVocabulary > Shards.MAX_VOCABULARY) {
            throw new LmpipeException("maxVocabulary must be at most " + Shards.MAX_VOCABULARY + ", got " + maxVocabulary);
        }
        Checks.within("validationFraction", validationFraction, 0.0, 1.0);
        Checks.within("testFraction", testFraction, 0.0, 1.0);
        if (validationFraction + testFraction >= 1.0) {
            throw new LmpipeException("validationFraction + testFraction must leave room for training, got "
                    + validationFraction + " + " + testFraction);
        }
        Checks.positive("blockChars", blockChars);
        Checks.positive("shardTokens", (int) Math.min(shardTokens, Integer.MAX_VALUE));
        if (shardTokens > Integer.MAX_VALUE / 2) {
            throw new LmpipeException("shardTokens must be at most " + Integer.MAX_VALUE / 2 + ", got " + shardTokens);
        }
        if (shardTokens < blockChars) {
            throw new LmpipeException("shardTokens (" + shardTokens + ") must be at least blockChars (" + blockChars + ")");
        }
        if (invalidUtf8 == null) {
            throw new LmpipeException("invalidUtf8 must be one of [replace, fail]");
        }
    }

    /** Checks the settings that have no useful default. */
    public TokenizeConfig requireComplete() {
        if (input.isEmpty()) {
            throw new LmpipeException("no input given: pass files or folders, or set input = path1, path2");
        }
        Checks.present("output", output);
        return this;
    }
}
