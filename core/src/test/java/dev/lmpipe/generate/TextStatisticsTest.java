package dev.lmpipe.generate;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class TextStatisticsTest {
    @Test
    void countsDistinctCharactersEntropyAndBigramDiversity() {
        var stats = TextStatistics.of(new Generator.Generation("abab", 4, -4.0));
        assertThat(stats.characters()).isEqualTo(4);
        assertThat(stats.distinctCharacters()).isEqualTo(2);
        assertThat(stats.entropy()).isCloseTo(1.0, within(1e-12)); // two characters, equally often: 1 bit
        assertThat(stats.bigramDiversity()).isCloseTo(2.0 / 3, within(1e-12)); // ab, ba, ab
        assertThat(stats.meanLogProbability()).isCloseTo(-1.0, within(1e-12));
    }

    @Test
    void aLoopHasLowDiversityAndCodePointsCountOnce() {
        var loop = TextStatistics.of(new Generator.Generation("x".repeat(100), 100, -1));
        assertThat(loop.entropy()).isZero();
        assertThat(loop.bigramDiversity()).isCloseTo(1.0 / 99, within(1e-12));
        var emoji = TextStatistics.of(new Generator.Generation("🌊🌊", 2, -1));
        assertThat(emoji.characters()).isEqualTo(2);
        assertThat(emoji.distinctCharacters()).isEqualTo(1);
    }
}
