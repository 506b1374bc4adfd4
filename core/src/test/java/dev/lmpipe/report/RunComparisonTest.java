package dev.lmpipe.report;

import dev.lmpipe.LmpipeException;
import dev.lmpipe.config.Json;
import dev.lmpipe.storage.Storage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RunComparisonTest {
    @TempDir
    Path work;

    private final Storage storage = new Storage();

    @Test
    void comparisonPutsEachRunsBestFiguresSideBySide() throws Exception {
        Path champion = RunReportWriterTest.writeRun(work.resolve("champion"), 2.4);
        Path challenger = RunReportWriterTest.writeRun(work.resolve("challenger"), 2.1);
        Path output = work.resolve("compare");
        RunComparison.Comparison comparison;
        try (var staged = storage.stage(output.toString(), false)) {
            comparison = RunComparison.write(storage, staged, List.of(champion.toString(), challenger.toString()));
            staged.commit();
        }
        assertThat(comparison.runs()).extracting(RunComparison.Row::run).containsExactly("champion", "challenger");
        // The fixed histories halve and third the first validation loss: epoch 3 is best, at first / 3.
        assertThat(comparison.runs().get(0).bestValidationLoss()).isEqualTo(2.4 / 3);
        assertThat(comparison.runs().get(1).bestValidationLoss()).isEqualTo(2.1 / 3);
        assertThat(comparison.runs().get(1).bestEpoch()).isEqualTo(3);
        assertThat(comparison.runs().get(0).trainedCharacters()).isEqualTo(3 * 81_920L);
        assertThat(ImageIO.read(output.resolve("validation.png").toFile())).isNotNull();
        assertThat(Files.readString(output.resolve("comparison.html"))).contains("champion", "challenger",
                String.format("%.4f", 2.1 / 3), "validation.png");
        var json = Json.MAPPER.readTree(output.resolve("comparison.json").toFile());
        assertThat(json.get("runs").get(1).get("bestValidationLoss").asDouble()).isEqualTo(2.1 / 3);
    }

    @Test
    void runsThatShareADirectoryNameAreNamedByTheirParents() {
        assertThat(RunComparison.labels(List.of("/a/champion", "/b/challenger"))).containsExactly("champion", "challenger");
        assertThat(RunComparison.labels(List.of("/nightly/2026-11-22/run", "/nightly/2026-11-23/run")))
                .containsExactly("2026-11-22/run", "2026-11-23/run");
        assertThat(RunComparison.labels(List.of("/x/run", "/x/run"))).containsExactly("x/run", "x/run (2)");
    }

    @Test
    void aDirectoryThatIsNoRunIsNamed() throws Exception {
        Path empty = Files.createDirectories(work.resolve("empty"));
        try (var staged = storage.stage(work.resolve("out").toString(), false)) {
            assertThatThrownBy(() -> RunComparison.write(storage, staged, List.of(empty.toString())))
                    .isInstanceOf(LmpipeException.class).hasMessageContaining("empty").hasMessageContaining("metrics.jsonl");
        }
        assertThat(work.resolve("out")).doesNotExist();
    }
}
