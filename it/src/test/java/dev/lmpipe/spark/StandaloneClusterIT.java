package dev.lmpipe.spark;

import dev.lmpipe.config.ConfigLoader;
import dev.lmpipe.storage.Storage;
import dev.lmpipe.train.CheckpointStore;
import dev.lmpipe.train.TrainConfig;
import dev.lmpipe.train.TrainingState;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * lmpipe on a Spark standalone cluster on localhost, set up and used exactly as deploy/README.md tells a user:
 * deploy/standalone/assemble.sh builds the Spark runtime from Maven jars, start-cluster.sh starts a master and two
 * one-core workers, deploy/spark-submit.sh submits submit/target/lmpipe-submit.jar. Training runs on two executor
 * JVMs and must match local mode; an executor killed with kill -9 in the middle of training is replaced and the
 * job finishes; a killed driver's run is finished by a new submission with --resume; cluster deploy mode works.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class StandaloneClusterIT {
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final String MODEL = "model.embedding=16,model.hidden=64,seqLen=32,tbptt=32,batchSize=16,"
            + "averagingFrequency=2,workers=2,learningRate=0.01,report=false";

    @TempDir
    static Path work;
    private static Path sparkHome;
    private static Path cluster;
    private static Map<String, String> ports;
    private static String dataset;

    @BeforeAll
    static void startCluster() throws Exception {
        sparkHome = work.resolve("spark");
        cluster = work.resolve("cluster");
        ports = Map.of("MASTER_PORT", freePort(), "MASTER_UI_PORT", freePort(), "WORKER_UI_PORT", freePort());
        run(List.of("bash", ROOT.resolve("deploy/standalone/assemble.sh").toString(), sparkHome.toString()), 300);
        run(List.of("bash", ROOT.resolve("deploy/standalone/start-cluster.sh").toString()), 180);

        Path corpus = work.resolve("corpus.txt");
        Files.writeString(corpus, new MarkovCorpus("abcdefgh", 3).generate(60_000, 4));
        dataset = work.resolve("dataset").toString();
        var tokenize = submit("client", "tokenize", "conf/tokenize.conf", corpus.toString(), "-o", dataset,
                "--set", "blockBytes=1024", "--set", "validationFraction=0.1").start();
        assertThat(tokenize.waitFor(180, TimeUnit.SECONDS)).isTrue();
        assertThat(tokenize.exitValue()).as(log("tokenize")).isZero();
    }

    @AfterAll
    static void stopCluster() throws Exception {
        if (cluster != null) {
            run(List.of("bash", ROOT.resolve("deploy/standalone/stop-cluster.sh").toString()), 120);
        }
    }

    private static String freePort() throws IOException {
        try (var socket = new ServerSocket(0)) {
            return String.valueOf(socket.getLocalPort());
        }
    }

    private static void environment(ProcessBuilder builder) {
        var env = builder.environment();
        env.put("SPARK_HOME", sparkHome.toString());
        env.put("CLUSTER_DIR", cluster.toString());
        env.put("WORKER_MEMORY", "2g");
        env.putAll(ports);
        env.put("MASTER", "spark://127.0.0.1:" + ports.get("MASTER_PORT"));
        env.put("SPARK_LOCAL_IP", "127.0.0.1");
    }

    private static void run(List<String> command, int seconds) throws Exception {
        var builder = new ProcessBuilder(command).directory(ROOT.toFile()).redirectErrorStream(true)
                .redirectOutput(work.resolve("setup.log").toFile());
        environment(builder);
        var process = builder.start();
        assertThat(process.waitFor(seconds, TimeUnit.SECONDS)).as(command.toString()).isTrue();
        assertThat(process.exitValue()).as(command + "\n" + Files.readString(work.resolve("setup.log"))).isZero();
    }

    /** deploy/spark-submit.sh JOB CONF ARGS, with its output in work/NAME.log. */
    private static ProcessBuilder submit(String mode, String job, String conf, String... args) {
        var command = new ArrayList<>(List.of("bash", ROOT.resolve("deploy/spark-submit.sh").toString(), job, conf));
        command.addAll(List.of(args));
        var builder = new ProcessBuilder(command).directory(ROOT.toFile()).redirectErrorStream(true)
                .redirectOutput(work.resolve(job + ".log").toFile());
        environment(builder);
        builder.environment().put("DEPLOY_MODE", mode);
        builder.environment().put("SUBMIT_ARGS", "--driver-memory 1g --executor-memory 1g --total-executor-cores "
                + (mode.equals("cluster") ? "1" : "2") + (mode.equals("cluster")
                ? " --conf spark.standalone.submit.waitAppCompletion=true" : ""));
        return builder;
    }

    private static String log(String job) {
        try {
            return Files.readString(work.resolve(job + ".log"), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    private static List<String> trainArgs(String run, int epochs, String... more) {
        var args = new ArrayList<>(List.of("-d", dataset, "-o", run));
        for (String setting : (MODEL + ",epochs=" + epochs).split(",")) {
            args.addAll(List.of("--set", setting));
        }
        args.addAll(List.of(more));
        return args;
    }

    private static Process train(String run, int epochs, String... more) throws IOException {
        return submit("client", "train", "conf/train-lstm.conf", trainArgs(run, epochs, more).toArray(String[]::new)).start();
    }

    private static void waitUntil(Process process, Predicate<String> logSays, String job, int seconds) throws Exception {
        long deadline = System.currentTimeMillis() + seconds * 1000L;
        while (!logSays.test(log(job))) {
            assertThat(process.isAlive()).as("%s ended early:%n%s", job, log(job)).isTrue();
            assertThat(System.currentTimeMillis()).as("waiting for %s:%n%s", job, log(job)).isLessThan(deadline);
            Thread.sleep(200);
        }
    }

    @Order(1)
    @Test
    void trainingOnTwoExecutorJvmsMatchesLocalMode() throws Exception {
        String run = work.resolve("cluster-run").toString();
        // With DL4J's Spark statistics, which executors time-stamp with the clock SparkContexts gives them.
        var train = train(run, 1, "--set", "sparkStatistics=true");
        assertThat(train.waitFor(300, TimeUnit.SECONDS)).isTrue();
        assertThat(train.exitValue()).as(log("train")).isZero();
        var storage = new Storage();
        TrainingState onCluster = CheckpointStore.load(storage,
                CheckpointStore.resolve(storage, storage.qualify(run), CheckpointStore.LATEST)).state();

        assertThat(Path.of(run, "spark-stats.json")).content().contains("ParameterAveraging");
        // Both workers ran an executor of the training application: two executor JVMs.
        String app = appOf("train");
        for (String worker : List.of("worker-1", "worker-2")) {
            assertThat(cluster.resolve(worker).resolve(app)).as(worker + " ran an executor of " + app).isDirectory();
        }

        // The same training in local[2], in this JVM: same plan, same averaging, up to float reduction order.
        String local = work.resolve("local-run").toString();
        var settings = new ArrayList<>(List.of("dataset=" + dataset, "output=" + local, "epochs=1"));
        settings.addAll(List.of(MODEL.split(",")));
        TrainingState inLocalMode;
        try (var sc = LocalSpark.start("StandaloneClusterIT")) {
            inLocalMode = new TrainJob(sc, storage, ConfigLoader.load(TrainConfig.class, TrainConfig.DEFAULTS,
                    ROOT.resolve("conf/train-lstm.conf"), settings), new PrintStream(OutputStream.nullOutputStream()))
                    .run(false, false);
        }
        System.out.printf("StandaloneClusterIT: 2 executors: validation %.5f nats/char after %d rounds; local[2]: %.5f%n",
                onCluster.validationLoss(), onCluster.rounds(), inLocalMode.validationLoss());
        assertThat(onCluster.rounds()).isEqualTo(inLocalMode.rounds());
        assertThat(onCluster.validationLoss()).isCloseTo(inLocalMode.validationLoss(), within(0.01));
    }

    /** The application id the driver's log names (app-...), from the executor's work directories. */
    private static String appOf(String job) throws IOException {
        try (var apps = Files.list(cluster.resolve("worker-1"))) {
            return apps.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("app-")).sorted()
                    .reduce((a, b) -> b).orElseThrow(() -> new AssertionError("no application ran: " + log(job)));
        }
    }

    @Order(2)
    @Test
    void anExecutorKilledInTheMiddleOfTrainingIsReplacedAndTheJobFinishes() throws Exception {
        String run = work.resolve("executor-kill").toString();
        var train = train(run, 2);
        waitUntil(train, text -> text.contains("round 4/"), "train", 240);
        var executor = ProcessHandle.allProcesses()
                .filter(p -> p.info().commandLine().orElse("").contains("CoarseGrainedExecutorBackend"))
                .findFirst().orElseThrow(() -> new AssertionError("no executor JVM found"));
        executor.destroyForcibly(); // SIGKILL
        assertThat(train.waitFor(400, TimeUnit.SECONDS)).isTrue();
        String output = log("train");
        assertThat(train.exitValue()).as(output).isZero();
        assertThat(output).containsPattern("executor \\d+ lost");
        System.out.printf("StandaloneClusterIT: executor pid %d killed; the driver said: %s%n", executor.pid(),
                output.lines().filter(l -> l.contains("executor") && (l.contains("lost") || l.contains("joined")))
                        .toList());

        var storage = new Storage();
        var last = CheckpointStore.load(storage, CheckpointStore.resolve(storage, storage.qualify(run), CheckpointStore.LATEST));
        assertThat(last.state().epoch()).isEqualTo(2);
        var evaluate = submit("client", "evaluate", "conf/evaluate.conf", "--checkpoint", run, "-d", dataset).start();
        assertThat(evaluate.waitFor(180, TimeUnit.SECONDS)).isTrue();
        assertThat(evaluate.exitValue()).as(log("evaluate")).isZero();
        assertThat(log("evaluate")).contains("bits/char");
    }

    @Order(3)
    @Test
    void aKilledDriversRunIsFinishedByANewSubmissionWithResume() throws Exception {
        String run = work.resolve("driver-kill").toString();
        var store = new CheckpointStore(new Storage(), new Storage().qualify(run));
        var train = train(run, 2, "--set", "checkpoint.everyRounds=3");
        waitUntil(train, text -> store.pointer(CheckpointStore.LATEST).isPresent(), "train", 240);
        train.destroyForcibly(); // spark-class execs the driver JVM: this is kill -9 of the driver
        train.waitFor();
        String killedAt = store.pointer(CheckpointStore.LATEST).orElseThrow();

        var resumed = train(run, 2, "--resume");
        assertThat(resumed.waitFor(400, TimeUnit.SECONDS)).isTrue();
        String output = log("train");
        assertThat(resumed.exitValue()).as(output).isZero();
        assertThat(output).contains("resuming from");
        var storage = new Storage();
        assertThat(CheckpointStore.load(storage, store.pointer(CheckpointStore.LATEST).orElseThrow()).state().epoch())
                .isEqualTo(2);
        System.out.printf("StandaloneClusterIT: driver killed after %s; resumed: %s%n", killedAt,
                output.lines().filter(l -> l.startsWith("train: resuming")).findFirst().orElse(""));
    }

    @Order(4)
    @Test
    void clusterDeployModeRunsTheDriverOnAWorker() throws Exception {
        String run = work.resolve("cluster-run").toString();
        String report = work.resolve("cluster-mode-report").toString();
        var evaluate = submit("cluster", "evaluate", "conf/evaluate.conf", "--checkpoint", run, "-d", dataset,
                "-o", report).start();
        assertThat(evaluate.waitFor(300, TimeUnit.SECONDS)).isTrue();
        assertThat(evaluate.exitValue()).as(log("evaluate")).isZero();
        assertThat(Path.of(report, "_SUCCESS")).exists();
        assertThat(Path.of(report, "report.html")).exists();
        try (var drivers = Files.walk(cluster, 2)) {
            assertThat(drivers.filter(p -> p.getFileName().toString().startsWith("driver-"))).isNotEmpty();
        }
    }
}
