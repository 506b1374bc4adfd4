package dev.lmpipe.config;

import dev.lmpipe.data.TokenizeConfig;
import dev.lmpipe.eval.EvaluateConfig;
import dev.lmpipe.generate.GenerateConfig;
import dev.lmpipe.train.TrainConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The files in {@code conf/} and the configuration records cannot drift apart. The job templates (tokenize,
 * evaluate, generate) restate defaults for people to edit, so running a job with or without its template is the
 * same job; the training presets state every training setting, so that a new setting appears in each of them and
 * a preset never silently inherits a default it did not choose. (Every file loading into its record is
 * {@code ConfigLoaderTest.everyShippedConfFileLoadsIntoItsRecord}.)
 */
class ConfFilesTest {
    /** conf/ of the repository, seen from the core module directory that surefire runs in. */
    private static final Path CONF = Path.of("..", "conf");
    /** Settings that name this run's input and output, always given on the command line. */
    private static final Set<String> PER_RUN = Set.of("dataset", "output");

    @Test
    void jobTemplatesStateTheRecordsDefaults() {
        assertThat(load(TokenizeConfig.class, TokenizeConfig.DEFAULTS, "tokenize.conf")).isEqualTo(TokenizeConfig.DEFAULTS);
        assertThat(load(EvaluateConfig.class, EvaluateConfig.DEFAULTS, "evaluate.conf")).isEqualTo(EvaluateConfig.DEFAULTS);
        assertThat(load(GenerateConfig.class, GenerateConfig.DEFAULTS, "generate.conf")).isEqualTo(GenerateConfig.DEFAULTS);
    }

    /** Every training preset: conf/train-*.conf, except the demo's, which states only what it changes. */
    static Stream<String> trainingPresets() throws IOException {
        try (var files = Files.list(CONF)) {
            var presets = files.map(file -> file.getFileName().toString())
                    .filter(name -> name.startsWith("train-") && name.endsWith(".conf") && !name.equals("train-demo.conf"))
                    .sorted().toList();
            assertThat(presets).contains("train-lstm.conf", "train-transformer.conf", "train-mlp.conf");
            return presets.stream();
        }
    }

    @ParameterizedTest
    @MethodSource("trainingPresets")
    void trainingPresetsStateEveryTrainingSetting(String file) {
        var stated = new TreeSet<String>();
        for (var setting : ConfigLoader.readFile(CONF.resolve(file))) {
            stated.add(setting.key());
        }
        var missing = new TreeSet<String>();
        for (String line : ConfigLoader.describe(TrainConfig.DEFAULTS)) {
            String key = line.substring(0, line.indexOf(" = "));
            if (!key.startsWith("model.") && !PER_RUN.contains(key) && !stated.contains(key)) {
                missing.add(key);
            }
        }
        assertThat(missing).as("settings conf/%s does not state", file).isEmpty();
        var model = load(TrainConfig.class, TrainConfig.DEFAULTS, file).model();
        for (String key : model.kind().settings()) {
            assertThat(stated).as("conf/%s states model.%s", file, key).contains("model." + key);
        }
    }

    private static <T> T load(Class<T> type, T defaults, String file) {
        return ConfigLoader.load(type, defaults, CONF.resolve(file), List.of());
    }
}
