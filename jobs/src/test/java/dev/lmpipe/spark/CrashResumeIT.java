package dev.lmpipe.spark;

import dev.lmpipe.config.ConfigLoader;
import dev.lmpipe.data.TokenizeConfig;
import dev.lmpipe.report.RunHistory;
import dev.lmpipe.storage.Storage;
import dev.lmpipe.train.CheckpointStore;
import dev.lmpipe.train.MetricsLine;
import dev.lmpipe.train.RoundLine;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Training killed with {@code kill -9} at random moments, six times, resumed after each kill with
 * {@code lmpipe train --resume} in a new JVM (the jar the build made, as a user runs it). Every committed
 * checkpoint must load, each resume must lose at most {@code checkpoint.everyRounds} rounds, the run must finish,
 * and its history must hold every round and epoch exactly once. Then the newest checkpoint is truncated: resume
 * falls back to the one before it and says so.
 */
class CrashResumeIT {
    private static final int KILLS = 6;
    private static final int EVERY_ROUNDS = 3;
    private static final int EPOCHS = 3;
    private static final Pattern ROUND = Pattern.compile("epoch (\\d+)/\\d+  round (\\d+)/(\\d+) ");
    private static final Pattern RESUMED = Pattern.compile("train: resuming from \\S+ \\(.*, round (\\d+),");

    @TempDir
    static Path work;

    private final Storage storage = new Storage();

    private static List<String> settings() {
        return List.of("model.embedding=8", "model.hidden=32", "seqLen=32", "batchSize=8", "averagingFrequency=2",
                "tbptt=32", "epochs=" + EPOCHS, "patience=" + EPOCHS, "report=false",
                "checkpoint.everyRounds=" + EVERY_ROUNDS, "checkpoint.keep=4");
    }

    @Test
    void killedSixTimesAtRandomResumesEachTimeAndFinishes() throws Exception {
        String dataset = work.resolve("dataset").toString();
        Path corpus = work.resolve("corpus.txt");
        Files.writeString(corpus, new MarkovCorpus("abcdefgh", 3).generate(30_000, 4));
        try (var sc = LocalSpark.start("CrashResumeIT")) {
            TokenizeJob.run(sc, storage, ConfigLoader.load(TokenizeConfig.class, TokenizeConfig.DEFAULTS, null,
                    List.of("input=" + corpus, "output=" + dataset, "blockBytes=1024")), false,
                    new PrintStream(OutputStream.nullOutputStream()));
        }
        String run = work.resolve("run").toString();
        var store = new CheckpointStore(storage, storage.qualify(run));
        var random = new Random(20261125);

        int kills = 0;
        int maxLost = 0;
        int checkpointsVerified = 0;
        long reached = 0;
        var log = new StringBuilder();
        for (int attempt = 0; kills < KILLS; attempt++) {
            // Until a first checkpoint is complete there is nothing to resume: start over.
            var child = train(dataset, run, hasComplete(store), attempt);
            // The first kill comes at its first round, before the first checkpoint: the next attempt must start over.
            // Every later kill comes at a random moment (in a round, in validation or in a checkpoint write) after
            // the attempt has printed EVERY_ROUNDS + 1 rounds: checkpoints are written between rounds, so by then
            // it has committed one, however slow the machine, and the final resume always has one to resume from.
            child.waitForRounds(attempt == 0 ? 1 : EVERY_ROUNDS + 1, Duration.ofSeconds(120));
            Thread.sleep(attempt == 0 ? 0 : random.nextInt(3_000));
            boolean killed = child.kill();
            String output = child.output();
            log.append("--- attempt ").append(attempt).append(killed ? " killed\n" : " finished\n").append(output);
            var resumed = RESUMED.matcher(output);
            if (resumed.find()) {
                long from = Long.parseLong(resumed.group(1));
                maxLost = (int) Math.max(maxLost, reached - from);
                assertThat(reached - from).as("rounds lost by the kill before attempt %d%n%s", attempt, log)
                        .isLessThanOrEqualTo(EVERY_ROUNDS);
            }
            long last = lastRound(output);
            if (last > 0) {
                reached = last; // a run started over (killed before its first checkpoint) counts from 0 again
            }
            if (!killed) {
                assertThat(child.process().exitValue()).as(log.toString()).isZero();
                break; // finished before the kill came: nothing left to kill
            }
            kills++;
            // Every committed checkpoint loads after every kill, and once there is one, latest names a loadable one
            // (a kill before the first checkpoint leaves none: the next attempt starts over).
            boolean any = false;
            for (String name : store.checkpoints()) {
                String path = Storage.child(store.directory(), name);
                if (storage.exists(Storage.child(path, "_SUCCESS"))) {
                    CheckpointStore.load(storage, path);
                    checkpointsVerified++;
                    any = true;
                }
            }
            if (any) {
                assertThat(store.pointer(CheckpointStore.LATEST)).as("latest after kill %d", kills)
                        .hasValueSatisfying(latest -> CheckpointStore.load(storage, latest));
            }
        }
        var last = train(dataset, run, true, 99);
        assertThat(last.waitFor(Duration.ofSeconds(300))).as(log + last.output()).isZero();
        String finalOutput = last.output();
        var resumed = RESUMED.matcher(finalOutput);
        assertThat(resumed.find()).as(finalOutput).isTrue();
        maxLost = (int) Math.max(maxLost, reached - Long.parseLong(resumed.group(1)));

        var latest = CheckpointStore.load(storage, store.pointer(CheckpointStore.LATEST).orElseThrow());
        assertThat(latest.state().epoch()).isEqualTo(EPOCHS);
        assertThat(latest.state().atEpochEnd()).isTrue();
        for (String name : store.checkpoints()) {
            CheckpointStore.load(storage, Storage.child(store.directory(), name));
            checkpointsVerified++;
        }
        assertThat(store.checkpoints()).as("checkpoint.keep=4 plus best").hasSizeLessThanOrEqualTo(5);
        var history = RunHistory.read(storage, storage.qualify(run));
        assertThat(history.epochs()).extracting(MetricsLine::epoch).containsExactly(1, 2, 3);
        long total = latest.state().rounds();
        assertThat(history.rounds()).extracting(RoundLine::round)
                .as("every round exactly once, in order").containsExactlyElementsOf(
                        java.util.stream.LongStream.rangeClosed(1, total).boxed().toList());
        System.out.printf("CrashResumeIT: %d kills survived, %d checkpoint loads verified, at most %d round(s) lost"
                + " per resume (checkpoint.everyRounds = %d), %d rounds in all%n", kills, checkpointsVerified, maxLost,
                EVERY_ROUNDS, total);
        assertThat(kills).isEqualTo(KILLS);

        // The newest checkpoint truncated: resume warns, falls back to the one before, and trains again from it.
        String newest = Storage.child(store.directory(), store.checkpoints().get(0));
        Path model = Path.of(java.net.URI.create(Storage.child(newest, "model.zip")));
        Files.write(model, java.util.Arrays.copyOf(Files.readAllBytes(model), (int) Files.size(model) / 2));
        var again = train(dataset, run, true, 100);
        assertThat(again.waitFor(Duration.ofSeconds(300))).as(again.output()).isZero();
        assertThat(again.output()).contains("warning: skipping checkpoint " + newest).contains("corrupt")
                .containsPattern("resuming from \\S+" + Pattern.quote(store.checkpoints().get(1)));
        CheckpointStore.load(storage, newest);
    }

    private boolean hasComplete(CheckpointStore store) {
        return store.checkpoints().stream()
                .anyMatch(name -> storage.exists(Storage.child(Storage.child(store.directory(), name), "_SUCCESS")));
    }

    private static long lastRound(String output) {
        Matcher m = ROUND.matcher(output);
        long last = 0;
        while (m.find()) {
            long epoch = Long.parseLong(m.group(1));
            long round = Long.parseLong(m.group(2));
            long perEpoch = Long.parseLong(m.group(3));
            last = (epoch - 1) * perEpoch + round;
        }
        return last;
    }


    /** lmpipe train in its own JVM, as the launcher runs it. */
    private static Child train(String dataset, String run, boolean resume, int attempt) throws IOException {
        var command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx1g", "@" + Path.of("..", "conf", "jvm-options").toAbsolutePath(),
                "-Dlog4j2.configurationFile=" + Path.of("..", "conf", "log4j2.properties").toAbsolutePath(),
                "-jar", Path.of("target", "lmpipe.jar").toAbsolutePath().toString(),
                "train", "--master", "local[2]", "-d", dataset, "-o", run));
        command.add(resume ? "--resume" : "--overwrite");
        for (String setting : settings()) {
            command.add("--set");
            command.add(setting);
        }
        Path out = work.resolve("attempt-" + attempt + ".log");
        var builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile());
        builder.environment().put("OMP_NUM_THREADS", "1");
        builder.environment().put("OPENBLAS_NUM_THREADS", "1");
        builder.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
        return new Child(builder.start(), out);
    }

    private record Child(Process process, Path log) {
        String output() throws IOException {
            return Files.readString(log, StandardCharsets.UTF_8);
        }

        /** Waits until the child has printed {@code rounds} round lines (or exited, or the limit passed). */
        void waitForRounds(int rounds, Duration limit) throws Exception {
            long deadline = System.currentTimeMillis() + limit.toMillis();
            while (System.currentTimeMillis() < deadline && process.isAlive()
                    && ROUND.matcher(output()).results().count() < rounds) {
                Thread.sleep(50);
            }
        }

        /** SIGKILL, as {@code kill -9}; false if the process had already exited. */
        boolean kill() throws InterruptedException {
            if (!process.isAlive()) {
                return false;
            }
            process.destroyForcibly(); // SIGKILL on Linux: no shutdown hooks, no finally blocks
            process.waitFor();
            return true;
        }

        int waitFor(Duration limit) throws InterruptedException {
            if (!process.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                return -1;
            }
            return process.exitValue();
        }
    }
}
