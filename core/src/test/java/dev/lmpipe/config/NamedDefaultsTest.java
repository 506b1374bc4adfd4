package dev.lmpipe.config;

import dev.lmpipe.data.TokenizeConfig;
import dev.lmpipe.eval.EvaluateConfig;
import dev.lmpipe.generate.GenerateConfig;
import dev.lmpipe.model.ModelConfig;
import dev.lmpipe.retrain.RetrainConfig;
import dev.lmpipe.text.Cleaning;
import dev.lmpipe.train.AveragingConfig;
import dev.lmpipe.train.CheckpointConfig;
import dev.lmpipe.train.EvalConfig;
import dev.lmpipe.train.TrainConfig;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.lang.reflect.RecordComponent;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every configuration record declares its defaults by name, one constant per setting ({@code SEQ_LEN} for
 * {@code seqLen}), and builds {@code DEFAULTS} from them positionally. Two settings of one type swapped in that
 * constructor call would compile and run; here each setting of {@code DEFAULTS} must equal the constant of its
 * own name, and a nested record its own {@code DEFAULTS}.
 */
class NamedDefaultsTest {
    @ParameterizedTest
    @ValueSource(classes = {TrainConfig.class, ModelConfig.class, EvalConfig.class, CheckpointConfig.class, AveragingConfig.class,
            TokenizeConfig.class, Cleaning.class, EvaluateConfig.class, GenerateConfig.class, RetrainConfig.class})
    void everyDefaultEqualsTheConstantOfItsName(Class<?> type) throws Exception {
        Object defaults = staticValue(type.getDeclaredField("DEFAULTS"));
        assertThat(type.getRecordComponents()).isNotEmpty();
        for (RecordComponent component : type.getRecordComponents()) {
            Object value = component.getAccessor().invoke(defaults);
            if (component.getType().isRecord()) {
                Object nested = staticValue(component.getType().getDeclaredField("DEFAULTS"));
                assertThat(value).as("%s.%s", type.getSimpleName(), component.getName()).isEqualTo(nested);
                continue;
            }
            String name = constantName(component.getName());
            Field constant = type.getDeclaredField(name);
            assertThat(Modifier.isStatic(constant.getModifiers())).as("%s.%s is static", type.getSimpleName(), name)
                    .isTrue();
            assertThat(value).as("%s.DEFAULTS.%s() against %s", type.getSimpleName(), component.getName(), name)
                    .isEqualTo(staticValue(constant));
        }
    }

    @org.junit.jupiter.api.Test
    void constantNamesFollowTheSettings() {
        assertThat(constantName("seqLen")).isEqualTo("SEQ_LEN");
        assertThat(constantName("invalidUtf8")).isEqualTo("INVALID_UTF8");
        assertThat(constantName("tbptt")).isEqualTo("TBPTT");
    }

    /** {@code averagingFrequency} → {@code AVERAGING_FREQUENCY}; a digit stays with the word before it. */
    private static String constantName(String setting) {
        return setting.replaceAll("([a-z0-9])([A-Z])", "$1_$2").toUpperCase(java.util.Locale.ROOT);
    }

    private static Object staticValue(Field field) throws IllegalAccessException {
        field.setAccessible(true);
        return field.get(null);
    }
}
