package dev.lmpipe.data;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lmpipe.LmpipeException;
import dev.lmpipe.config.ConfigLoader;
import dev.lmpipe.config.Json;
import dev.lmpipe.text.CorruptInput;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The include, exclude and corrupt settings: defaults, how they are read (also from a configuration stored before
 * they existed), and how a bad value is reported.
 */
class TokenizeConfigTest {
    private static TokenizeConfig config(String... overrides) {
        return ConfigLoader.load(TokenizeConfig.class, TokenizeConfig.DEFAULTS, null, List.of(overrides));
    }

    @Test
    void defaultsIncludeTxtGzAndBz2AndExcludeNothing() {
        assertThat(TokenizeConfig.DEFAULTS.include()).containsExactly("*.txt", "*.gz", "*.bz2");
        assertThat(TokenizeConfig.DEFAULTS.exclude()).isEmpty();
    }

    @Test
    void includeAndExcludeAreCommaSeparatedLists() {
        var config = config("include=*.c, *.h", "exclude=Documentation/**,*_test.c");
        assertThat(config.include()).containsExactly("*.c", "*.h");
        assertThat(config.exclude()).containsExactly("Documentation/**", "*_test.c");
        assertThat(config.selection().selects("kernel/fork.c")).isTrue();
        assertThat(config.selection().selects("kernel/fork_test.c")).isFalse();
    }

    @Test
    void jsonWithoutIncludeAndExcludeReadsWithTheDefaults() throws Exception {
        ObjectNode stored = Json.MAPPER.valueToTree(config("include=*.c", "exclude=*.h", "input=linux/"));
        stored.remove(List.of("include", "exclude"));

        var read = Json.read(Json.MAPPER.writeValueAsBytes(stored), TokenizeConfig.class);

        assertThat(read.include()).containsExactly("*.txt", "*.gz", "*.bz2");
        assertThat(read.exclude()).isEmpty();
        assertThat(read.input()).containsExactly("linux/");
    }

    @Test
    void jsonWithNullIncludeAndExcludeReadsWithTheDefaults() throws Exception {
        ObjectNode stored = Json.MAPPER.valueToTree(TokenizeConfig.DEFAULTS);
        stored.putNull("include");
        stored.putNull("exclude");

        var read = Json.read(Json.MAPPER.writeValueAsBytes(stored), TokenizeConfig.class);

        assertThat(read).isEqualTo(TokenizeConfig.DEFAULTS);
    }

    @Test
    void storedIncludeAndExcludeRoundTripThroughJson() throws Exception {
        var config = config("include=*.c", "exclude=drivers/staging/**");
        assertThat(Json.read(Json.write(config), TokenizeConfig.class)).isEqualTo(config);
    }

    @Test
    void badPatternIsAOneLineUserErrorNamingTheSettingAndThePattern() {
        assertThatThrownBy(() -> config("exclude=drivers/[abc"))
                .isInstanceOf(LmpipeException.class)
                .hasMessageContaining("invalid exclude pattern 'drivers/[abc'")
                .hasMessageContaining("--set exclude=drivers/[abc")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }

    @Test
    void braceGroupCutByTheListCommaIsExplained() {
        // "*.{c,h}" reaches the record as the two patterns "*.{c" and "h}".
        assertThatThrownBy(() -> config("include=*.{c,h}"))
                .isInstanceOf(LmpipeException.class)
                .hasMessageContaining("invalid include pattern '*.{c'")
                .hasMessageContaining("give *.{c,h} as two patterns: *.c, *.h")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }

    @Test
    void corruptInputIsSkippedByDefaultAndAConfigurationStoredWithoutTheSettingReadsSo() throws Exception {
        assertThat(TokenizeConfig.DEFAULTS.corrupt()).isEqualTo(CorruptInput.skip);
        assertThat(config("corrupt=fail").corrupt()).isEqualTo(CorruptInput.fail);
        ObjectNode stored = Json.MAPPER.valueToTree(config("corrupt=fail"));
        stored.remove("corrupt");

        assertThat(Json.read(Json.MAPPER.writeValueAsBytes(stored), TokenizeConfig.class).corrupt())
                .isEqualTo(CorruptInput.skip);
    }

    @Test
    void anUnknownCorruptPolicyIsAUserErrorNamingTheChoices() {
        assertThatThrownBy(() -> config("corrupt=ignore"))
                .isInstanceOf(LmpipeException.class)
                .hasMessageContaining("corrupt")
                .hasMessageContaining("ignore")
                .hasMessageContaining("skip")
                .hasMessageContaining("fail");
    }

    @Test
    void emptyIncludeIsAUserError() {
        assertThatThrownBy(() -> config("include="))
                .isInstanceOf(LmpipeException.class)
                .hasMessageContaining("include must give at least one pattern");
    }
}
