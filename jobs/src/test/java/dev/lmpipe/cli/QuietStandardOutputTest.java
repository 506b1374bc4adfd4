package dev.lmpipe.cli;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

class QuietStandardOutputTest {
    @Test
    void dropsOnlyNd4jDebuggingLines() {
        var bytes = new ByteArrayOutputStream();
        var out = new QuietStandardOutput(bytes);
        out.println("epoch 1/3  round 1/10  loss 3.8 nats/char");
        out.println("Added differentiated op permute_3");
        out.println("the words Added differentiated op in the middle stay");
        out.printf("%d%n", 42);
        assertThat(bytes.toString(StandardCharsets.UTF_8)).isEqualTo(
                "epoch 1/3  round 1/10  loss 3.8 nats/char\nthe words Added differentiated op in the middle stay\n42\n");
    }
}
