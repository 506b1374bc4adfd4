package dev.lmpipe.config;

import dev.lmpipe.LmpipeException;
import dev.lmpipe.data.Split;
import dev.lmpipe.data.TokenizeConfig;
import dev.lmpipe.eval.EvaluateConfig;
import dev.lmpipe.generate.GenerateConfig;
import dev.lmpipe.generate.UnknownCharacters;
import dev.lmpipe.text.InvalidUtf8;
import dev.lmpipe.train.TrainConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ConfigLoaderTest {
    /** conf/ of the repository, seen from the core module directory that surefire runs in. */
    private static final Path CONF = Path.of("..", "conf");

    @TempDir
    Path dir;

    private Path file(String... lines) throws IOException {
        return Files.write(dir.resolve("test.conf"), List.of(lines));
    }

    private static TrainConfig train(Path file, String... overrides) {
        return ConfigLoader.load(TrainConfig.class, TrainConfig.DEFAULTS, file, List.of(overrides));
    }

    @Test
    void fileWithCommentsBlankLinesAndDottedKeysIsApplied() throws IOException {
        Path conf = file(
                "# a comment = not a setting",
                "",
                "   ",
                "model.hidden = 48",
                "  model.layers=2  ",
                "seqLen = 32",
                "   # indented comment",
                "learningRate = 1e-3",
                "output = runs/a b",
                "dataset = data/x = y");

        TrainConfig config = train(conf);

        assertThat(config.model().hidden()).isEqualTo(48);
        assertThat(config.model().layers()).isEqualTo(2);
        assertThat(config.model().embedding()).isEqualTo(TrainConfig.DEFAULTS.model().embedding());
        assertThat(config.seqLen()).isEqualTo(32);
        assertThat(config.learningRate()).isEqualTo(0.001);
        assertThat(config.output()).isEqualTo("runs/a b");
        assertThat(config.dataset()).as("only the first '=' separates key and value").isEqualTo("data/x = y");
        assertThat(config.batchSize()).isEqualTo(TrainConfig.DEFAULTS.batchSize());
    }

    @Test
    void setOverridesWinOverTheFile() throws IOException {
        Path conf = file("model.hidden = 48", "seqLen = 32");

        TrainConfig config = train(conf, "seqLen=24", "model.hidden = 40");

        assertThat(config.seqLen()).isEqualTo(24);
        assertThat(config.model().hidden()).isEqualTo(40);
    }

    @Test
    void listsAreCommaSeparated() {
        var config = ConfigLoader.load(TokenizeConfig.class, TokenizeConfig.DEFAULTS, null,
                List.of("input=a.txt, b/ ,c.gz", "invalidUtf8=fail"));
        assertThat(config.input()).containsExactly("a.txt", "b/", "c.gz");
        assertThat(config.invalidUtf8()).isEqualTo(InvalidUtf8.fail);
    }

    @Test
    void unknownKeyNamesTheKeyAndTheFileLine() throws IOException {
        Path conf = file("# settings", "seqLen = 32", "", "model.hiden = 48");

        assertThatThrownBy(() -> train(conf))
                .isInstanceOf(LmpipeException.class)
                .hasMessageContaining("model.hiden")
                .hasMessageContaining(conf + " line 4")
                .hasMessageContaining("model.hidden"); // the list of known settings
    }

    @Test
    void unknownKeyFromTheCommandLineNamesTheOverride() {
        assertThatThrownBy(() -> train(null, "epochz=3"))
                .isInstanceOf(LmpipeException.class)
                .hasMessageContaining("epochz")
                .hasMessageContaining("--set epochz=3");
    }

    @Test
    void lineWithoutEqualsNamesTheFileLine() throws IOException {
        Path conf = file("seqLen = 32", "batchSize 16");
        assertThatThrownBy(() -> train(conf))
                .isInstanceOf(LmpipeException.class)
                .hasMessageContaining(conf + " line 2")
                .hasMessageContaining("batchSize 16");
    }

    @Test
    void nonNumericValueNamesKeyAndValue() throws IOException {
        Path conf = file("seqLen = sixty-four");
        assertThatThrownBy(() -> train(conf))
                .isInstanceOf(LmpipeException.class)
                .hasMessageContaining("'seqLen'")
                .hasMessageContaining("'sixty-four'")
                .hasMessageContaining("line 1")
                .hasMessageContaining("whole number");
        assertThatThrownBy(() -> train(null, "learningRate=fast"))
                .isInstanceOf(LmpipeException.class)
                .hasMessageContaining("learningRate")
                .hasMessageContaining("fast");
        assertThatThrownBy(() -> train(null, "seqLen=1.5"))
                .isInstanceOf(LmpipeException.class)
                .hasMessageContaining("seqLen")
                .hasMessageContaining("1.5");
    }

    @Test
    void outOfRangeValueNamesTheFileLineOfItsKey() throws IOException {
        Path conf = file("# budgets", "seqLen = 32", "eval.maxCharacters = -5");
        assertThatThrownBy(() -> train(conf))
                .isInstanceOf(LmpipeException.class)
                .hasMessageContaining("eval.maxCharacters must be at least 0, got -5")
                .hasMessageContaining(conf + " line 3");
        // The last setting of the key wins, here the command line's.
        assertThatThrownBy(() -> train(file("seqLen = 32"), "seqLen=0"))
                .isInstanceOf(LmpipeException.class)
                .hasMessageContaining("--set seqLen=0");
    }

    @Test
    void outOfRangeValueNamesKeyAndValue() throws IOException {
        Path conf = file("model.dropout = 1.5");
        assertThatThrownBy(() -> train(conf))
                .isInstanceOf(LmpipeException.class)
                .hasMessageContaining("model.dropout")
                .hasMessageContaining("1.5")
                .hasMessageContaining(conf.toString());
        assertThatThrownBy(() -> train(null, "seqLen=0"))
                .isInstanceOf(LmpipeException.class)
                .hasMessageContaining("seqLen")
                .hasMessageContaining("got 0");
    }

    @Test
    void invalidEnumValueIsAUserErrorNamingKeyAndValue() throws IOException {
        Path conf = file("invalidUtf8 = maybe");
        assertThatThrownBy(() -> ConfigLoader.load(TokenizeConfig.class, TokenizeConfig.DEFAULTS, conf, List.of()))
                .isInstanceOf(LmpipeException.class)
                .hasMessageContaining("invalidUtf8")
                .hasMessageContaining("maybe");
    }

    @Test
    void wholeNumberBeyondIntRangeIsAUserErrorNamingKeyAndValue() {
        assertThatThrownBy(() -> train(null, "seqLen=99999999999"))
                .isInstanceOf(LmpipeException.class)
                .hasMessageContaining("seqLen")
                .hasMessageContaining("99999999999");
    }

    @Test
    void booleanLikeAndTextValuesKeepTheirType() {
        var config = ConfigLoader.load(EvaluateConfig.class, EvaluateConfig.DEFAULTS, null,
                List.of("split=test", "checkpoint=runs/1", "hardest=5"));
        assertThat(config.split()).isEqualTo(Split.test);
        assertThat(config.checkpoint()).isEqualTo("runs/1");
        assertThat(config.hardest()).isEqualTo(5);
    }

    @Test
    void describeListsEveryKeyWithItsValue() {
        assertThat(ConfigLoader.describe(TrainConfig.DEFAULTS))
                .contains("model.kind = lstm", "model.hidden = 256", "seqLen = 64", "dataset = ");
    }

    @Test
    void everyShippedConfFileLoadsIntoItsRecord() throws IOException {
        List<Path> files;
        try (Stream<Path> listing = Files.list(CONF)) {
            files = listing.filter(p -> p.getFileName().toString().endsWith(".conf")).sorted().toList();
        }
        assertThat(files).extracting(p -> p.getFileName().toString())
                .contains("tokenize.conf", "evaluate.conf", "generate.conf", "train-lstm.conf", "train-demo.conf");

        for (Path file : files) {
            String name = file.getFileName().toString();
            Object loaded;
            if (name.equals("tokenize.conf")) {
                loaded = ConfigLoader.load(TokenizeConfig.class, TokenizeConfig.DEFAULTS, file, List.of());
            } else if (name.startsWith("train-")) {
                loaded = ConfigLoader.load(TrainConfig.class, TrainConfig.DEFAULTS, file, List.of());
            } else if (name.equals("evaluate.conf")) {
                loaded = ConfigLoader.load(EvaluateConfig.class, EvaluateConfig.DEFAULTS, file, List.of());
            } else if (name.equals("generate.conf")) {
                loaded = ConfigLoader.load(GenerateConfig.class, GenerateConfig.DEFAULTS, file, List.of());
            } else if (name.equals("retrain.conf")) {
                loaded = ConfigLoader.load(dev.lmpipe.retrain.RetrainConfig.class, dev.lmpipe.retrain.RetrainConfig.DEFAULTS,
                        file, List.of());
            } else {
                throw new AssertionError("conf/" + name + " has no record in this test; add it");
            }
            assertThat(loaded).as(name).isNotNull();
        }

        // Spot checks that the file's values, not the defaults, were applied.
        var demo = ConfigLoader.load(TrainConfig.class, TrainConfig.DEFAULTS, CONF.resolve("train-demo.conf"), List.of());
        assertThat(demo.model().hidden()).isEqualTo(128);
        assertThat(demo.maxMinutes()).isEqualTo(3.0);
        assertThat(demo.learningRate()).isEqualTo(0.004);
        var lstm = ConfigLoader.load(TrainConfig.class, TrainConfig.DEFAULTS, CONF.resolve("train-lstm.conf"), List.of());
        assertThat(lstm.epochs()).isEqualTo(20);
        var generate = ConfigLoader.load(GenerateConfig.class, GenerateConfig.DEFAULTS, CONF.resolve("generate.conf"), List.of());
        assertThat(generate.unknown()).isEqualTo(UnknownCharacters.unk);
        assertThat(generate.temperature()).isEqualTo(0.8);
        var tokenize = ConfigLoader.load(TokenizeConfig.class, TokenizeConfig.DEFAULTS, CONF.resolve("tokenize.conf"), List.of());
        assertThat(tokenize.shardTokens()).isEqualTo(8_000_000L);
        assertThat(tokenize.invalidUtf8()).isEqualTo(InvalidUtf8.replace);
        assertThat(tokenize.include()).as("tokenize.conf states the default").isEqualTo(TokenizeConfig.DEFAULTS.include());
    }

    @Test
    void missingConfigFileIsAUserError() {
        Path missing = dir.resolve("nope.conf");
        assertThatThrownBy(() -> train(missing))
                .isInstanceOf(LmpipeException.class)
                .hasMessageContaining(missing.toString());
    }
}
