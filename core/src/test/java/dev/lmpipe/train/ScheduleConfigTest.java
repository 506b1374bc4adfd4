package dev.lmpipe.train;

import dev.lmpipe.config.ConfigLoader;
import dev.lmpipe.config.InvalidSetting;
import dev.lmpipe.model.LearningRateSchedule;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** The schedule.* settings resolved into a schedule in characters, and the combinations refused. */
class ScheduleConfigTest {
    private static TrainConfig config(String... overrides) {
        return ConfigLoader.load(TrainConfig.class, TrainConfig.DEFAULTS, null, List.of(overrides));
    }

    @Test
    void theDefaultIsAConstantRateWithNoScheduleAtAll() {
        assertThat(TrainConfig.DEFAULTS.schedule().varies()).isFalse();
        assertThat(TrainConfig.DEFAULTS.schedule().resolve(0.002, 0, 2048)).isNull();
    }

    @Test
    void stepsAreOneMinibatchOnEveryWorker() {
        var config = config("schedule.kind=cosine", "schedule.unit=steps", "schedule.warmup=100",
                "schedule.length=5000", "learningRate=0.003");
        // 2 workers × 32 windows × 64 characters.
        LearningRateSchedule schedule = config.schedule().resolve(config.learningRate(), 0, 4096);
        assertThat(schedule.getWarmupCharacters()).isEqualTo(409_600);
        assertThat(schedule.getDecayCharacters()).isEqualTo(20_480_000);
        assertThat(schedule.getCharactersPerIteration()).isEqualTo(4096);
        assertThat(schedule.getPeak()).isEqualTo(0.003);
        assertThat(schedule.getFloor()).isEqualTo(0.1);
    }

    @Test
    void aDecayWithoutALengthEndsAtMaxCharacters() {
        var config = config("schedule.kind=linear", "schedule.warmup=1000", "maxCharacters=3000000");
        var schedule = config.schedule().resolve(config.learningRate(), config.maxCharacters(), 2048);
        assertThat(schedule.getDecayCharacters()).isEqualTo(3_000_000);
        assertThat(schedule.getWarmupCharacters()).isEqualTo(1000);
    }

    @Test
    void aDecayWithNowhereToEndIsRefusedNamingTheSettings() {
        assertThatThrownBy(() -> config("schedule.kind=cosine"))
                .hasMessageContaining("schedule.length").hasMessageContaining("maxCharacters")
                .hasMessageContaining("maxMinutes");
        assertThatThrownBy(() -> config("schedule.kind=cosine", "schedule.warmup=5000", "schedule.length=5000"))
                .hasMessageContaining("schedule.warmup").hasMessageContaining("5000");
        var steps = config("schedule.kind=cosine", "schedule.unit=steps", "schedule.warmup=1000", "maxCharacters=100000");
        assertThatThrownBy(() -> steps.schedule().resolve(steps.learningRate(), steps.maxCharacters(), 2048))
                .isInstanceOf(InvalidSetting.class).hasMessageContaining("schedule.warmup")
                .hasMessageContaining("2,048,000");
    }

    @Test
    void aDecayEndingWithATimeBudgetHoldsThePeakUntilItsEndIsEstimated() {
        var config = config("schedule.kind=cosine", "schedule.warmup=1000", "maxMinutes=10");
        var schedule = config.schedule().resolve(config.learningRate(), config.maxCharacters(), 2048);
        assertThat(schedule.getDecayCharacters()).isEqualTo(Long.MAX_VALUE);
        assertThat(schedule.at(5_000_000)).isEqualTo(config.learningRate(), within(1e-12));
        assertThat(ScheduleConfig.describe(schedule, config.learningRate(), true)).contains("where maxMinutes ends");

        // Halfway from the warmup's end to the estimated end: the cosine's middle, between the peak and the floor.
        var estimated = schedule.endingBy(2_001_000);
        assertThat(estimated.at(1_001_000)).isEqualTo(config.learningRate() * (0.1 + 0.9 * 0.5), within(1e-12));
        assertThat(estimated.at(2_001_000)).isEqualTo(config.learningRate() * 0.1, within(1e-12));
        // An estimate never moves the end past a fixed one.
        var bounded = config("schedule.kind=cosine", "maxCharacters=1000000", "maxMinutes=10");
        var fixed = bounded.schedule().resolve(bounded.learningRate(), bounded.maxCharacters(), 2048);
        assertThat(fixed.endingBy(5_000_000).getDecayCharacters()).isEqualTo(1_000_000);
        assertThat(fixed.endingBy(400_000).getDecayCharacters()).isEqualTo(400_000);
    }

    @Test
    void aConstantRateWithWarmupNeedsNoLength() {
        var config = config("schedule.warmup=20000");
        var schedule = config.schedule().resolve(config.learningRate(), 0, 2048);
        assertThat(schedule.at(1_000_000)).isEqualTo(config.learningRate());
        assertThat(schedule.at(0)).isLessThan(config.learningRate());
    }
}
