package dev.lmpipe.spark;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The scripts of deploy/ run as a user runs them, from the checkout's root, each a process of its own with the
 * cluster's environment: deploy/spark-submit.sh for a job, whose output goes to {@code logs/JOB.log} (the next
 * submission of the same job replaces it), and setup scripts, whose output goes to {@code logs/setup.log}.
 */
final class SubmitScript {
    static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    private final Path logs;
    private final Map<String, String> environment;

    SubmitScript(Path logs, Map<String, String> environment) {
        this.logs = logs;
        this.environment = Map.copyOf(environment);
    }

    /** deploy/spark-submit.sh JOB CONF ARGS with this cluster's environment and {@code more} on top. */
    ProcessBuilder submit(Map<String, String> more, String job, String conf, List<String> args) {
        var command = new ArrayList<>(List.of("bash", ROOT.resolve("deploy/spark-submit.sh").toString(), job, conf));
        command.addAll(args);
        var builder = new ProcessBuilder(command).directory(ROOT.toFile()).redirectErrorStream(true)
                .redirectOutput(logs.resolve(job + ".log").toFile());
        builder.environment().putAll(environment);
        builder.environment().putAll(more);
        return builder;
    }

    /** Submits, waits, and asserts the exit status 0, with the job's log as the message otherwise. */
    void submitAndWait(Map<String, String> more, String job, String conf, List<String> args, int seconds)
            throws Exception {
        var process = submit(more, job, conf, args).start();
        assertThat(process.waitFor(seconds, TimeUnit.SECONDS)).as("%s within %d s:%n%s", job, seconds, log(job))
                .isTrue();
        assertThat(process.exitValue()).as(log(job)).isZero();
    }

    /** A setup script (bash COMMAND...), which must succeed within {@code seconds}. */
    void run(List<String> command, int seconds) throws Exception {
        Path log = logs.resolve("setup.log");
        var builder = new ProcessBuilder(command).directory(ROOT.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile());
        builder.environment().putAll(environment);
        var process = builder.start();
        assertThat(process.waitFor(seconds, TimeUnit.SECONDS)).as(command.toString()).isTrue();
        assertThat(process.exitValue()).as(command + "\n" + Files.readString(log)).isZero();
    }

    /** What the last submission of {@code job} printed so far. */
    String log(String job) {
        try {
            return Files.readString(logs.resolve(job + ".log"), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    /** Waits until the job's log says what {@code logSays} looks for; fails if the job ends or time runs out first. */
    void waitUntil(Process process, Predicate<String> logSays, String job, int seconds) throws Exception {
        long deadline = System.currentTimeMillis() + seconds * 1000L;
        while (!logSays.test(log(job))) {
            assertThat(process.isAlive()).as("%s ended early:%n%s", job, log(job)).isTrue();
            assertThat(System.currentTimeMillis()).as("waiting for %s:%n%s", job, log(job)).isLessThan(deadline);
            Thread.sleep(200);
        }
    }
}
