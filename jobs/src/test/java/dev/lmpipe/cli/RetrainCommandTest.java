package dev.lmpipe.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code lmpipe retrain} with a setting out of range, from its configuration file or the command line: one line
 * naming the full key, the value and where it came from, exit code 1, and the model home untouched. The
 * configuration is refused before Spark starts, so this needs no SparkContext.
 */
class RetrainCommandTest {
    @TempDir
    Path work;

    private String refusal(String... args) {
        var run = CommandRun.of(args);
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.error()).as("one line, no stack trace").hasLineCount(1);
        assertThat(work.resolve("home")).doesNotExist();
        return run.error().strip();
    }

    @Test
    void anOutOfRangeSettingInTheFileNamesItsLine() throws IOException {
        Path conf = Files.writeString(work.resolve("retrain.conf"), String.join("\n", "# nightly", "margin = 0.01",
                "tokenize.blockBytes = 1024", "", "train.model.hidden = 32", "train.seqLen = 32",
                "train.model.dropout = 1.5", ""));
        String error = refusal("retrain", "-c", conf.toString(), "--home", work.resolve("home").toString(), "night.txt");
        System.out.println("RetrainCommandTest: " + error);
        assertThat(error).isEqualTo("lmpipe retrain: error: invalid configuration: train.model.dropout must be within"
                + " [0.0, 1.0), got 1.5 (" + conf + " line 7)");
    }

    @Test
    void anOutOfRangeSettingOnTheCommandLineNamesTheSet() {
        String error = refusal("retrain", "--set", "train.eval.maxCharacters=-5", "--home",
                work.resolve("home").toString(), "night.txt");
        System.out.println("RetrainCommandTest: " + error);
        assertThat(error).isEqualTo("lmpipe retrain: error: invalid configuration: train.eval.maxCharacters must be at"
                + " least 0, got -5 (--set train.eval.maxCharacters=-5)");
    }
}
