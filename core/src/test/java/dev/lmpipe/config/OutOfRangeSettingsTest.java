package dev.lmpipe.config;

import dev.lmpipe.LmpipeException;
import dev.lmpipe.data.TokenizeConfig;
import dev.lmpipe.eval.EvaluateConfig;
import dev.lmpipe.generate.GenerateConfig;
import dev.lmpipe.retrain.RetrainConfig;
import dev.lmpipe.train.TrainConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A value that a configuration record refuses is reported with its full key and where it came from (the file and
 * line, or the {@code --set}), for every record with range checks, nested ones included: the same as an unknown
 * key or a value of the wrong type.
 */
class OutOfRangeSettingsTest {
    @TempDir
    Path dir;

    /** A record, its defaults, a setting it refuses, and what it says about it. */
    private record Case(Class<?> type, Object defaults, String key, String value, String refusal) {
        static Case of(Class<?> type, Object defaults, String key, String value, String refusal) {
            return new Case(type, defaults, key, value, refusal);
        }

        Object load(Path file, List<String> overrides) {
            return load(type, file, overrides);
        }

        private <T> T load(Class<T> record, Path file, List<String> overrides) {
            return ConfigLoader.load(record, record.cast(defaults), file, overrides);
        }

        @Override
        public String toString() {
            return type.getSimpleName() + " " + key + "=" + value;
        }
    }

    static Stream<Arguments> refusedValues() {
        return Stream.of(
                Case.of(TrainConfig.class, TrainConfig.DEFAULTS, "seqLen", "0", "seqLen must be positive, got 0"),
                Case.of(TrainConfig.class, TrainConfig.DEFAULTS, "learningRate", "-0.1",
                        "learningRate must be a positive number, got -0.1"),
                Case.of(TrainConfig.class, TrainConfig.DEFAULTS, "model.dropout", "1.5",
                        "model.dropout must be within [0.0, 1.0), got 1.5"),
                Case.of(TrainConfig.class, TrainConfig.DEFAULTS, "eval.maxCharacters", "-5",
                        "eval.maxCharacters must be at least 0, got -5"),
                Case.of(TrainConfig.class, TrainConfig.DEFAULTS, "checkpoint.keep", "-1",
                        "checkpoint.keep must be at least 0, got -1"),
                Case.of(TokenizeConfig.class, TokenizeConfig.DEFAULTS, "blockBytes", "10",
                        "blockBytes must be at least 64, got 10"),
                Case.of(TokenizeConfig.class, TokenizeConfig.DEFAULTS, "shardTokens", "0",
                        "shardTokens must be within [1, 1073741823], got 0"),
                Case.of(TokenizeConfig.class, TokenizeConfig.DEFAULTS, "maxVocabulary", "70000",
                        "maxVocabulary must be at most 65536, got 70000"),
                Case.of(EvaluateConfig.class, EvaluateConfig.DEFAULTS, "batchSize", "0", "batchSize must be positive, got 0"),
                Case.of(GenerateConfig.class, GenerateConfig.DEFAULTS, "topP", "1.3", "topP must be within (0, 1], got 1.3"),
                Case.of(GenerateConfig.class, GenerateConfig.DEFAULTS, "lengthNormalisation", "-1",
                        "lengthNormalisation must be at least 0.0, got -1.0"),
                Case.of(RetrainConfig.class, RetrainConfig.DEFAULTS, "margin", "-0.5", "margin must be at least 0.0, got -0.5"),
                Case.of(RetrainConfig.class, RetrainConfig.DEFAULTS, "train.seqLen", "0", "train.seqLen must be positive, got 0"),
                Case.of(RetrainConfig.class, RetrainConfig.DEFAULTS, "train.model.hidden", "0",
                        "train.model.hidden must be positive, got 0"),
                Case.of(RetrainConfig.class, RetrainConfig.DEFAULTS, "train.eval.everyCharacters", "-1",
                        "train.eval.everyCharacters must be at least 0, got -1"),
                Case.of(RetrainConfig.class, RetrainConfig.DEFAULTS, "tokenize.testFraction", "1.5",
                        "tokenize.testFraction must be within [0.0, 1.0), got 1.5")
        ).map(Arguments::of);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refusedValues")
    void aRefusedValueFromAFileNamesItsLine(Case refused) throws IOException {
        Path conf = Files.write(dir.resolve("job.conf"), List.of("# tonight's settings", "", refused.key() + " = " + refused.value()));
        assertThatThrownBy(() -> refused.load(conf, List.of()))
                .isInstanceOf(LmpipeException.class)
                .hasMessage("invalid configuration: " + refused.refusal() + " (" + conf + " line 3)");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refusedValues")
    void aRefusedValueFromTheCommandLineNamesTheSet(Case refused) {
        String override = refused.key() + "=" + refused.value();
        assertThatThrownBy(() -> refused.load(null, List.of(override)))
                .isInstanceOf(LmpipeException.class)
                .hasMessage("invalid configuration: " + refused.refusal() + " (--set " + override + ")");
    }

    @Test
    void aRuleBetweenTwoSettingsNamesTheLinesOfBoth() throws IOException {
        Path conf = Files.write(dir.resolve("train.conf"), List.of("model.kind = transformer", "model.embedding = 30",
                "seqLen = 64", "model.heads = 4"));
        assertThatThrownBy(() -> ConfigLoader.load(TrainConfig.class, TrainConfig.DEFAULTS, conf, List.of()))
                .isInstanceOf(LmpipeException.class)
                .hasMessage("invalid configuration: model.embedding must be a multiple of model.heads (4), got 30 ("
                        + conf + " line 2, " + conf + " line 4)");
        // Only the setting that was given is named; the other kept its default.
        assertThatThrownBy(() -> ConfigLoader.load(RetrainConfig.class, RetrainConfig.DEFAULTS, null,
                List.of("train.model.kind=transformer", "train.model.block=32")))
                .isInstanceOf(LmpipeException.class)
                .hasMessage("invalid configuration: train.seqLen must equal model.block: a transformer reads windows of"
                        + " exactly model.block characters; set seqLen = 32, got 64 (--set train.model.block=32)");
    }
}
