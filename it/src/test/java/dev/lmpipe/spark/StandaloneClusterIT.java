package dev.lmpipe.spark;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lmpipe.storage.Storage;
import dev.lmpipe.train.Checkpoint;
import dev.lmpipe.train.CheckpointStore;
import dev.lmpipe.train.TrainingState;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * lmpipe on a Spark standalone cluster on localhost, set up and used exactly as deploy/README.md tells a user:
 * deploy/standalone/assemble.sh builds the Spark runtime from Maven jars, start-cluster.sh starts a master and two
 * two-core workers, deploy/spark-submit.sh submits submit/target/lmpipe-submit.jar. A killed driver's run is
 * finished by a new submission with --resume. In cluster deploy mode, with its driver on a worker (the second core
 * of the worker's two), training runs on two one-core executor JVMs, one per worker; one of them killed with
 * kill -9 in the middle of it is replaced by a new one, and the job finishes with a checkpoint that loads, a report,
 * and the loss that local mode reaches. Executors keep their workers' networks from round to round: a GPT trained so
 * ends bit for bit where one whose networks are built every round ends.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class StandaloneClusterIT {
    private static final Path ROOT = SubmitScript.ROOT;
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path work;
    private static Path sparkHome;
    private static Path cluster;
    private static Map<String, String> ports;
    private static SubmitScript script;
    private static String dataset;

    @BeforeAll
    static void startCluster() throws Exception {
        sparkHome = work.resolve("spark");
        cluster = work.resolve("cluster");
        ports = Map.of("MASTER_PORT", freePort(), "MASTER_UI_PORT", freePort(), "WORKER_UI_PORT", freePort());
        var environment = new HashMap<>(ports);
        environment.put("SPARK_HOME", sparkHome.toString());
        environment.put("CLUSTER_DIR", cluster.toString());
        // Two cores a worker: one for an executor, one for a cluster-mode driver beside it, so that training in
        // cluster deploy mode still has an executor on each worker. Every submission asks for one-core executors.
        environment.put("WORKER_CORES", "2");
        environment.put("WORKER_MEMORY", "2g");
        environment.put("MASTER", "spark://127.0.0.1:" + ports.get("MASTER_PORT"));
        environment.put("SPARK_LOCAL_IP", "127.0.0.1");
        script = new SubmitScript(work, environment);
        script.run(List.of("bash", ROOT.resolve("deploy/standalone/assemble.sh").toString(), sparkHome.toString()), 300);
        script.run(List.of("bash", ROOT.resolve("deploy/standalone/start-cluster.sh").toString()), 180);

        Path corpus = work.resolve("corpus.txt");
        Files.writeString(corpus, MarkovRun.corpus(60_000));
        dataset = work.resolve("dataset").toString();
        var tokenize = submit("client", "tokenize", "conf/tokenize.conf", corpus.toString(), "-o", dataset,
                "--set", "blockBytes=1024", "--set", "validationFraction=0.1").start();
        assertThat(tokenize.waitFor(180, TimeUnit.SECONDS)).isTrue();
        assertThat(tokenize.exitValue()).as(script.log("tokenize")).isZero();
    }

    @AfterAll
    static void stopCluster() throws Exception {
        if (cluster != null) {
            script.run(List.of("bash", ROOT.resolve("deploy/standalone/stop-cluster.sh").toString()), 120);
        }
    }

    private static String freePort() throws IOException {
        try (var socket = new ServerSocket(0)) {
            return String.valueOf(socket.getLocalPort());
        }
    }

    /** deploy/spark-submit.sh JOB CONF ARGS, with its output in work/JOB.log. */
    private static ProcessBuilder submit(String mode, String job, String conf, String... args) {
        return script.submit(Map.of("DEPLOY_MODE", mode, "SUBMIT_ARGS", "--driver-memory 1g --executor-memory 1g"
                + " --executor-cores 1 --total-executor-cores 2" + (mode.equals("cluster")
                ? " --driver-cores 1 --conf spark.standalone.submit.waitAppCompletion=true" : "")), job, conf, List.of(args));
    }

    private static Process train(String run, int epochs, String... more) throws IOException {
        return submit("client", "train", "conf/train-lstm.conf",
                MarkovRun.trainArgs(dataset, run, epochs, more).toArray(String[]::new)).start();
    }

    /** The master's status, as its web UI serves it at /json/: workers, applications, drivers. */
    private static JsonNode master() throws Exception {
        var request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + ports.get("MASTER_UI_PORT") + "/json/"))
                .build();
        return JSON.readTree(HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString()).body());
    }

    /** The id of the one application running on this test's master (which runs nothing but this test's jobs). */
    private static String runningApplication(String name) throws Exception {
        var active = StreamSupport.stream(master().path("activeapps").spliterator(), false).toList();
        assertThat(active).as("running applications").hasSize(1);
        assertThat(active.get(0).path("name").asText()).isEqualTo(name);
        return active.get(0).path("id").asText();
    }

    /**
     * The executor JVMs of an application: processes under this test's worker JVMs (their pids in the cluster
     * directory) whose command line names the application, as the worker starts them:
     * {@code CoarseGrainedExecutorBackend ... --executor-id 1 ... --app-id app-...}.
     */
    private static List<ProcessHandle> executorsOf(String app) throws IOException {
        var executors = new ArrayList<ProcessHandle>();
        for (String worker : List.of("worker-1", "worker-2")) {
            long pid = Long.parseLong(Files.readString(cluster.resolve(worker + ".pid")).strip());
            ProcessHandle.of(pid).orElseThrow(() -> new AssertionError(worker + " (pid " + pid + ") is not running"))
                    .descendants().filter(p -> {
                        String command = p.info().commandLine().orElse("");
                        return command.contains("CoarseGrainedExecutorBackend") && command.contains(" --app-id " + app + " ");
                    }).forEach(executors::add);
        }
        return executors;
    }

    private static String executorId(ProcessHandle executor) {
        Matcher id = Pattern.compile(" --executor-id (\\S+) ").matcher(executor.info().commandLine().orElse(""));
        assertThat(id.find()).as("executor id in the command line of pid %d", executor.pid()).isTrue();
        return id.group(1);
    }

    @Order(1)
    @Test
    void aKilledDriversRunIsFinishedByANewSubmissionWithResume() throws Exception {
        String run = work.resolve("driver-kill").toString();
        var store = new CheckpointStore(new Storage(), new Storage().qualify(run));
        var train = train(run, 1, "--set", "checkpoint.everyRounds=3");
        script.waitUntil(train, text -> store.pointer(CheckpointStore.LATEST).isPresent(), "train", 240);
        train.destroyForcibly(); // spark-class execs the driver JVM: this is kill -9 of the driver
        train.waitFor();
        String killedAt = store.pointer(CheckpointStore.LATEST).orElseThrow();

        var resumed = train(run, 1, "--resume");
        assertThat(resumed.waitFor(400, TimeUnit.SECONDS)).isTrue();
        String output = script.log("train");
        assertThat(resumed.exitValue()).as(output).isZero();
        assertThat(output).contains("resuming from");
        var storage = new Storage();
        assertThat(CheckpointStore.load(storage, store.pointer(CheckpointStore.LATEST).orElseThrow()).state().epoch())
                .isEqualTo(1);
        System.out.printf("StandaloneClusterIT: driver killed after %s; resumed: %s%n", killedAt,
                output.lines().filter(l -> l.startsWith("train: resuming")).findFirst().orElse(""));
    }

    @Order(2)
    @Test
    void inClusterDeployModeTrainingOutlivesAKilledExecutorAndMatchesLocalMode() throws Exception {
        String run = work.resolve("cluster-mode-run").toString();
        // With DL4J's Spark statistics, which executors time-stamp with the clock SparkContexts gives them.
        var train = submit("cluster", "train", "conf/train-lstm.conf", MarkovRun.trainArgs(dataset, run, 2,
                "--set", "report=true", "--set", "sparkStatistics=true").toArray(String[]::new)).start();
        TrainingState inLocalMode;
        try {
            // The worker that runs the driver keeps its output in its own directory: driver-<id>/stdout, stderr.
            Path driver = waitForDriverDirectory(train);
            waitForText(train, driver.resolve("stdout"), "round 4/");
            String app = runningApplication("lmpipe train");
            var executors = executorsOf(app);
            assertThat(executors).as("executor JVMs of %s", app).hasSize(2);
            Set<String> before = executors.stream().map(StandaloneClusterIT::executorId).collect(Collectors.toSet());
            var victim = executors.get(0);
            String killed = executorId(victim);
            victim.destroyForcibly(); // SIGKILL
            assertThat(victim.onExit().get(30, TimeUnit.SECONDS).isAlive()).isFalse();
            // The same training in local[2], in this JVM, meanwhile: same plan, same averaging.
            inLocalMode = MarkovRun.trainLocally(dataset, work.resolve("local-run").toString(), 2);

            assertThat(train.waitFor(400, TimeUnit.SECONDS)).as(script.log("train")).isTrue();
            assertThat(train.exitValue()).as(script.log("train")).isZero();

            // The master ran the driver to its end on a worker, and the application had an executor on each.
            var status = master();
            var drivers = StreamSupport.stream(status.path("completeddrivers").spliterator(), false).toList();
            assertThat(drivers).as(status.toPrettyString()).singleElement()
                    .satisfies(d -> assertThat(d.path("state").asText()).isEqualTo("FINISHED"));
            for (String worker : List.of("worker-1", "worker-2")) {
                assertThat(cluster.resolve(worker).resolve(app)).as(worker + " ran an executor of " + app).isDirectory();
            }
            // The replacement: the driver's listener (ExecutorEvents) logs every executor that registers with this
            // application; the first to join after the loss has a new id, and its worker gave it a directory under
            // this application's.
            String driverLog = Files.readString(driver.resolve("stderr"));
            String lost = "executor " + killed + " lost";
            assertThat(driverLog).contains(lost);
            Matcher joined = Pattern.compile("executor (\\S+) joined").matcher(driverLog.substring(driverLog.indexOf(lost)));
            assertThat(joined.find()).as("an executor joined after %s:%n%s", lost, driverLog).isTrue();
            String replacement = joined.group(1);
            assertThat(before).doesNotContain(replacement);
            assertThat(List.of("worker-1", "worker-2")).as("a worker directory of executor %s of %s", replacement, app)
                    .anyMatch(worker -> Files.isDirectory(cluster.resolve(worker).resolve(app).resolve(replacement)));
            System.out.printf("StandaloneClusterIT: cluster mode, driver in %s: executor %s (pid %d) of %s killed,"
                            + " executor %s joined; the driver said: %s%n", cluster.relativize(driver), killed,
                    victim.pid(), app, replacement, driverLog.lines()
                            .filter(l -> l.contains("executor") && (l.contains("lost") || l.contains("joined"))).toList());

            MarkovRun.assertLatestCheckpointGenerates(run, 2);
            assertThat(Path.of(run, "report", "_SUCCESS")).exists();
            assertThat(Path.of(run, "report", "report.html")).exists();
            assertThat(Path.of(run, "spark-stats.json")).content().contains("ParameterAveraging");
        } finally {
            train.destroyForcibly();
        }
        // The killed executor's tasks ran again from the same broadcast on the same minibatches: the run ends where
        // local mode ends, up to the order of float reductions.
        var storage = new Storage();
        TrainingState onCluster = CheckpointStore.load(storage,
                CheckpointStore.resolve(storage, storage.qualify(run), CheckpointStore.LATEST)).state();
        System.out.printf("StandaloneClusterIT: 2 executors, one killed: validation %.5f nats/char after %d rounds;"
                + " local[2]: %.5f%n", onCluster.validationLoss(), onCluster.rounds(), inLocalMode.validationLoss());
        assertThat(onCluster.rounds()).isEqualTo(inLocalMode.rounds());
        assertThat(onCluster.validationLoss()).isCloseTo(inLocalMode.validationLoss(), within(0.01));
    }

    @Order(3)
    @Test
    void workersKeepTheirNetworksFromRoundToRoundAcrossExecutorJvmsExactlyAsIfBuiltEachRound() throws Exception {
        // Each executor JVM keeps its worker's network between rounds (WorkerNetworks); DL4J's statistics make it
        // build one every round instead. The GPT's recipe takes lmpipe's fused Adam update on the workers, and its
        // dropout masks follow the global step: a kept network must take the round's parameters, Adam state,
        // iteration count and rate from the broadcast, whichever executor ran it the round before.
        var runs = new LinkedHashMap<String, Path>();
        for (String mode : List.of("kept", "built")) {
            Path run = work.resolve("gpt-networks-" + mode);
            var train = submit("client", "train", "conf/train-transformer-10min.conf",
                    MarkovRun.gptTrainArgs(dataset, run.toString(), "--set", "sparkStatistics=" + mode.equals("built"))
                            .toArray(String[]::new)).start();
            assertThat(train.waitFor(400, TimeUnit.SECONDS)).as(script.log("train")).isTrue();
            assertThat(train.exitValue()).as(script.log("train")).isZero();
            // Two executor JVMs, one on each worker, trained the run: the application that started last.
            String app = StreamSupport.stream(master().path("completedapps").spliterator(), false)
                    .max(Comparator.comparingLong(a -> a.path("starttime").asLong()))
                    .orElseThrow().path("id").asText();
            for (String worker : List.of("worker-1", "worker-2")) {
                assertThat(cluster.resolve(worker).resolve(app)).as("%s ran an executor of %s", worker, app)
                        .isDirectory();
            }
            runs.put(mode, run);
        }
        var storage = new Storage();
        var kept = load(storage, runs.get("kept"));
        var built = load(storage, runs.get("built"));
        assertThat(kept.state().rounds()).isEqualTo(20).isEqualTo(built.state().rounds());
        assertThat(Files.readAllLines(runs.get("kept").resolve("rounds.jsonl")).stream().map(StandaloneClusterIT::loss))
                .containsExactlyElementsOf(Files.readAllLines(runs.get("built").resolve("rounds.jsonl")).stream()
                        .map(StandaloneClusterIT::loss).toList());
        // Bit for bit: with two workers the average is the same sum whichever worker's result comes first.
        assertThat(kept.network().params().equals(built.network().params())).as("equal parameters").isTrue();
        assertThat(kept.network().getUpdater().getStateViewArray()
                .equals(built.network().getUpdater().getStateViewArray())).as("equal Adam state").isTrue();
        assertThat(kept.state().validationLoss()).isEqualTo(built.state().validationLoss())
                .isLessThan(Math.log(MarkovRun.ALPHABET.length()));
        System.out.printf("StandaloneClusterIT: GPT on 2 executors, networks kept and built every round: equal"
                + " parameters and Adam state after %d rounds, validation %.5f nats/char%n", kept.state().rounds(),
                kept.state().validationLoss());
    }

    private static Checkpoint load(Storage storage, Path run) {
        return CheckpointStore.load(storage,
                CheckpointStore.resolve(storage, storage.qualify(run.toString()), CheckpointStore.LATEST));
    }

    /** The training loss of one line of rounds.jsonl. */
    private static double loss(String line) {
        try {
            return JSON.readTree(line).path("loss").asDouble(Double.NaN);
        } catch (IOException e) {
            throw new AssertionError(line, e);
        }
    }

    /** The directory a worker gave the one driver this test's master runs in cluster deploy mode. */
    private static Path waitForDriverDirectory(Process submission) throws Exception {
        long deadline = System.currentTimeMillis() + 120_000;
        while (true) {
            for (String worker : List.of("worker-1", "worker-2")) {
                try (var entries = Files.list(cluster.resolve(worker))) {
                    var driver = entries.filter(p -> p.getFileName().toString().startsWith("driver-")).findFirst();
                    if (driver.isPresent()) {
                        return driver.get();
                    }
                }
            }
            assertThat(submission.isAlive()).as("the submission ended early:%n%s", script.log("train")).isTrue();
            assertThat(System.currentTimeMillis()).as("waiting for the driver to start").isLessThan(deadline);
            Thread.sleep(200);
        }
    }

    /** Waits until {@code file} holds {@code text}; fails if the submission ends or four minutes pass first. */
    private static void waitForText(Process submission, Path file, String text) throws Exception {
        long deadline = System.currentTimeMillis() + 240_000;
        while (!(Files.exists(file) && Files.readString(file).contains(text))) {
            assertThat(submission.isAlive()).as("the submission ended early:%n%s", script.log("train")).isTrue();
            assertThat(System.currentTimeMillis()).as("waiting for %s in %s", text, file).isLessThan(deadline);
            Thread.sleep(200);
        }
    }
}
