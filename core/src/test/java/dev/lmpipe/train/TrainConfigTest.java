package dev.lmpipe.train;

import dev.lmpipe.LmpipeException;
import dev.lmpipe.config.ConfigLoader;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** How many workers and threads a train run uses when the settings leave it to lmpipe. */
class TrainConfigTest {
    private static TrainConfig config(String... overrides) {
        return ConfigLoader.load(TrainConfig.class, TrainConfig.DEFAULTS, null, List.of(overrides));
    }

    @Test
    void localModeGivesOneWorkerOnEveryCoreToModelsThatSliceTheirMinibatches() {
        for (String kind : new String[] {"lstm", "transformer"}) {
            var config = config("model.kind=" + kind);
            int workers = config.workers(true, 2);
            assertThat(workers).as(kind).isEqualTo(1);
            assertThat(config.threadsPerWorker(workers, 2)).as(kind).isEqualTo(2);
        }
        // The MLP's layers are DL4J's own, on one thread: one worker per task slot as before.
        var mlp = config("model.kind=mlp");
        assertThat(mlp.workers(true, 2)).isEqualTo(2);
        assertThat(mlp.threadsPerWorker(2, 2)).isEqualTo(1);
    }

    @Test
    void aClusterGetsOneWorkerPerTaskSlotUnlessTold() {
        var config = config();
        assertThat(config.workers(false, 8)).isEqualTo(8);
        assertThat(config.threadsPerWorker(8, 8)).isEqualTo(1);

        var perExecutor = config("workers=2");
        assertThat(perExecutor.workers(false, 8)).isEqualTo(2);
        assertThat(perExecutor.threadsPerWorker(2, 8)).isEqualTo(4);
        assertThat(config("workers=3", "threadsPerWorker=5").threadsPerWorker(3, 8)).isEqualTo(5);
        // More workers than cores still leaves each worker one thread.
        assertThat(config("workers=16").threadsPerWorker(16, 8)).isEqualTo(1);
    }

    @Test
    void negativeThreadsPerWorkerIsAUserErrorNamingTheKey() {
        assertThatThrownBy(() -> config("threadsPerWorker=-1"))
                .isInstanceOf(LmpipeException.class)
                .hasMessageContaining("threadsPerWorker must be at least 0, got -1");
    }
}
