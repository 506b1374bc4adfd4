package dev.lmpipe.cli;

import dev.lmpipe.retrain.ModelHome;
import dev.lmpipe.storage.Storage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * deploy/cron/lmpipe-retrain.sh as cron runs it: a real retraining of a small model in its own JVM; a second
 * start of the same home while the first runs does not start (exit 75, says why); the first finishes and records
 * its decision.
 */
class RetrainScheduleIT {
    @TempDir
    Path work;

    @Test
    void aSecondNightWhileTheFirstRunsDoesNotStart() throws Exception {
        Path corpus = work.resolve("night.txt");
        var text = new StringBuilder();
        var random = new java.util.Random(7);
        for (int i = 0; i < 4000; i++) {
            text.append(List.of("the cat sat", "a dog ran", "we sang", "it rained").get(random.nextInt(4)))
                    .append(i % 5 == 4 ? ".\n" : ", ");
        }
        Files.writeString(corpus, text);
        Path conf = work.resolve("retrain.conf");
        Files.writeString(conf, String.join("\n", "margin = 0.01", "tokenize.blockBytes = 1024", "tokenize.validationFraction = 0.2", "tokenize.testFraction = 0.1",
                "train.model.embedding = 8", "train.model.hidden = 32", "train.seqLen = 32", "train.tbptt = 32",
                "train.batchSize = 16", "train.epochs = 1", "train.report = false", ""));
        String home = work.resolve("home").toString();

        var first = wrapper(home, corpus, conf, "first").start();
        Path firstErr = work.resolve("first.err");
        waitFor(() -> Files.exists(firstErr) && Files.readString(firstErr).contains("retraining"), 60);

        var second = wrapper(home, corpus, conf, "second").start();
        assertThat(second.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(second.exitValue()).isEqualTo(75);
        assertThat(Files.readString(work.resolve("second.err"))).contains("another retraining of " + home + " is running");
        assertThat(first.isAlive()).as("the second start did not disturb the first").isTrue();

        assertThat(first.waitFor(240, TimeUnit.SECONDS)).isTrue();
        assertThat(first.exitValue()).as(Files.readString(firstErr)).isZero();
        assertThat(Files.readString(firstErr)).contains("PROMOTED").contains("finished with status 0");
        var decisions = new ModelHome(new Storage(), home).decisions();
        assertThat(decisions).singleElement().satisfies(d -> assertThat(d.promoted()).isTrue());
    }

    private ProcessBuilder wrapper(String home, Path corpus, Path conf, String name) {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String lmpipe = String.join(" ", java, "-Xmx1g", "@" + Path.of("..", "conf", "jvm-options").toAbsolutePath().normalize(),
                "-jar", Path.of("target", "lmpipe.jar").toAbsolutePath().toString());
        var builder = new ProcessBuilder("bash", Path.of("..", "deploy", "cron", "lmpipe-retrain.sh").toString(), home,
                corpus.toString(), "--master", "local[1]")
                .redirectOutput(work.resolve(name + ".out").toFile())
                .redirectError(work.resolve(name + ".err").toFile());
        var env = builder.environment();
        env.put("LMPIPE", lmpipe);
        env.put("LMPIPE_CONF", conf.toString());
        env.put("LMPIPE_LOCK", work.resolve("retrain.lock").toString());
        env.put("LMPIPE_LOGS", work.resolve("logs").toString());
        env.put("OMP_NUM_THREADS", "1");
        env.put("SPARK_LOCAL_IP", "127.0.0.1");
        return builder;
    }

    private interface Condition {
        boolean holds() throws Exception;
    }

    private static void waitFor(Condition condition, int seconds) throws Exception {
        long deadline = System.currentTimeMillis() + seconds * 1000L;
        while (!condition.holds()) {
            if (System.currentTimeMillis() > deadline) {
                throw new AssertionError("timed out after " + seconds + " s");
            }
            Thread.sleep(100);
        }
    }
}
