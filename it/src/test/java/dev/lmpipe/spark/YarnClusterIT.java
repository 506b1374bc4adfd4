package dev.lmpipe.spark;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lmpipe.report.RunHistory;
import dev.lmpipe.storage.Storage;
import dev.lmpipe.train.MetricsLine;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.yarn.api.records.ApplicationReport;
import org.apache.hadoop.yarn.api.records.FinalApplicationStatus;
import org.apache.hadoop.yarn.api.records.YarnApplicationState;
import org.apache.hadoop.yarn.conf.YarnConfiguration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * lmpipe on YARN, submitted as deploy/README.md tells a user: HDFS (MiniDFSCluster) and YARN (MiniYARNCluster, two
 * NodeManagers whose containers are processes of their own, memory-checked) on loopback, their client configuration
 * in HADOOP_CONF_DIR, the Spark runtime of deploy/standalone/assemble.sh, and deploy/spark-submit.sh with
 * MASTER=yarn and deploy/yarn/spark-yarn.properties scaled to this machine (containers of 1 vcore and 1.5 GB).
 * tokenize (client deploy mode) reads its corpus from HDFS; train, in cluster deploy mode with the driver in the
 * ApplicationMaster's container and its configuration file shipped there, trains on two executors for two epochs
 * with its checkpoints on HDFS; an executor's JVM killed with SIGKILL in the middle of it is replaced by a new
 * container, the job finishes with a checkpoint that loads, and its losses match local mode; evaluate (client mode)
 * reports the same loss.
 */
class YarnClusterIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Executors of 1 vcore: 1 GB of heap and 512 MB for ND4J's buffers and the JVM's own memory. */
    private static final String EXECUTOR_MEMORY = "1g";
    private static final String EXECUTOR_OVERHEAD = "512m";
    /**
     * Each NodeManager offers 2,816 MB: one executor (1,536 MB) and an ApplicationMaster (896 MB in client mode, or
     * the cluster-mode driver's 1,280 MB) fit, two executors (3,072 MB) do not, so the two executors run on the two
     * NodeManagers, and a killed one's replacement takes its place.
     */
    private static final int NODE_MANAGER_MB = 2816;

    @TempDir
    static Path work;
    private static HdfsServer hdfs;
    private static YarnServer yarn;
    private static SubmitScript script;
    private static String dataset;

    @BeforeAll
    static void startCluster() throws Exception {
        Path sparkHome = work.resolve("spark");
        Files.createDirectories(work.resolve("logs"));
        hdfs = new HdfsServer(work.resolve("hdfs"));
        yarn = new YarnServer(2, NODE_MANAGER_MB, 2, hdfs.root(), work.resolve("hadoop-conf"));
        Path properties = work.resolve("spark-yarn.properties");
        writeScaledProperties(properties, sparkHome);
        script = new SubmitScript(work.resolve("logs"), Map.of(
                "SPARK_HOME", sparkHome.toString(),
                "HADOOP_CONF_DIR", yarn.configuration().toString(),
                "YARN_CONF_DIR", yarn.configuration().toString(),
                "MASTER", "yarn",
                "SPARK_PROPERTIES", properties.toString(),
                // The driver (client mode) on loopback, where the executors reach it.
                "SPARK_LOCAL_IP", "127.0.0.1"));
        script.run(List.of("bash", SubmitScript.ROOT.resolve("deploy/standalone/assemble.sh").toString(),
                sparkHome.toString()), 300);

        String corpus = hdfs.root() + "corpus/chain.txt";
        new Storage().writeAll(corpus, MarkovRun.corpus(24_000).getBytes(StandardCharsets.UTF_8));
        dataset = hdfs.root() + "datasets/chain";
        script.submitAndWait(Map.of(), "tokenize", "conf/tokenize.conf", List.of(corpus, "-o", dataset,
                "--set", "blockBytes=1024", "--set", "validationFraction=0.1"), 180);
        assertThat(new Storage().exists(dataset + "/_SUCCESS")).isTrue();
    }

    /**
     * deploy/yarn/spark-yarn.properties as shipped (JVM flags, threads, dynamic allocation off), with its sizes
     * for 4-core, 8 GB executors scaled to this machine's containers, and Spark's jars taken from the nodes'
     * installation (the NodeManagers share this machine's SPARK_HOME) instead of uploaded with every submission.
     */
    private static void writeScaledProperties(Path target, Path sparkHome) throws IOException {
        var properties = new Properties();
        try (InputStream in = Files.newInputStream(SubmitScript.ROOT.resolve("deploy/yarn/spark-yarn.properties"))) {
            properties.load(in);
        }
        properties.setProperty("spark.executor.instances", "2");
        properties.setProperty("spark.executor.cores", "1");
        properties.setProperty("spark.executor.memory", EXECUTOR_MEMORY);
        properties.setProperty("spark.executor.memoryOverhead", EXECUTOR_OVERHEAD);
        properties.setProperty("spark.driver.memory", "896m");
        properties.setProperty("spark.driver.memoryOverhead", "384m");
        String options = properties.getProperty("spark.executor.extraJavaOptions");
        assertThat(options).contains("-Dorg.bytedeco.javacpp.maxbytes=");
        properties.setProperty("spark.executor.extraJavaOptions",
                options.replaceAll("-Dorg\\.bytedeco\\.javacpp\\.maxbytes=\\S+", "-Dorg.bytedeco.javacpp.maxbytes=256m"));
        // The ApplicationMaster and executors on loopback too: this machine's name resolves to 127.0.0.1, and Spark
        // would take another interface's address instead.
        properties.setProperty("spark.yarn.appMasterEnv.SPARK_LOCAL_IP", "127.0.0.1");
        properties.setProperty("spark.executorEnv.SPARK_LOCAL_IP", "127.0.0.1");
        // The ApplicationMaster asks YARN for executors every second instead of every 3 s (test speed only).
        properties.setProperty("spark.yarn.scheduler.heartbeat.interval-ms", "1000");
        properties.setProperty("spark.yarn.jars", "local:" + sparkHome.resolve("jars") + "/*");
        try (OutputStream out = Files.newOutputStream(target)) {
            properties.store(out, "deploy/yarn/spark-yarn.properties scaled to YarnClusterIT's containers");
        }
    }

    @AfterAll
    static void stopCluster() throws Exception {
        FileSystem.closeAll();
        if (yarn != null) {
            yarn.close();
        }
        if (hdfs != null) {
            hdfs.close();
        }
    }

    private static String run(String name) {
        return hdfs.root() + "runs/" + name;
    }

    @Test
    void inClusterModeTrainingOutlivesAKilledExecutorMatchesLocalModeAndEvaluates() throws Exception {
        String run = run("cluster-mode");
        var train = script.submit(Map.of("DEPLOY_MODE", "cluster"), "train", "conf/train-lstm.conf",
                MarkovRun.trainArgs(dataset, run, 2)).start();
        String local = work.resolve("local-run").toString();
        CompletableFuture<?> inLocalMode = null;
        try {
            ApplicationReport report = waitForRunning("lmpipe train", train);
            String app = report.getApplicationId().toString();
            // The driver runs in the ApplicationMaster's container: its output is that container's stdout.
            Path driverOut = containerLog(app, amContainer(app), "stdout");
            long deadline = System.currentTimeMillis() + 240_000;
            while (!(Files.exists(driverOut) && Files.readString(driverOut).contains("round 2/"))) {
                assertThat(train.isAlive()).as("train ended early:%n%s", script.log("train")).isTrue();
                assertThat(System.currentTimeMillis()).as("waiting for round 2 in %s", driverOut).isLessThan(deadline);
                Thread.sleep(200);
            }
            var executors = executorsOf(app);
            assertThat(executors).as("executor JVMs of %s", app).hasSize(2);
            var victim = executors.get(0);
            String killed = containerOf(victim);
            victim.destroyForcibly(); // SIGKILL to the executor JVM that the container launched
            assertThat(victim.onExit().get(30, TimeUnit.SECONDS).isAlive()).isFalse();
            // The same training in local[2] in this JVM, meanwhile (the cluster waits on heartbeats and containers
            // more than it computes).
            inLocalMode = CompletableFuture.supplyAsync(() -> MarkovRun.trainLocally(dataset, local, 2));

            assertThat(train.waitFor(400, TimeUnit.SECONDS)).as(script.log("train")).isTrue();
            assertThat(train.exitValue()).as(script.log("train")).isZero();
            assertThat(yarn.application(report.getApplicationId()).getFinalApplicationStatus())
                    .isEqualTo(FinalApplicationStatus.SUCCEEDED);
            String driverLog = Files.readString(containerLog(app, amContainer(app), "stderr"));
            var containers = containersOf(app);
            System.out.printf("YarnClusterIT: cluster mode: killed executor container %s (pid %d) of %s; its"
                            + " containers: %s; the driver said: %s%n", killed, victim.pid(), app, containers,
                    driverLog.lines().filter(l -> l.contains("ExecutorEvents")).toList());
            // The driver saw the loss, and YARN gave a fourth container (the AM's, two executors' on the two
            // NodeManagers, the replacement's), whose executor joined the application.
            Matcher lost = Pattern.compile("executor (\\S+) lost").matcher(driverLog);
            assertThat(lost.find()).as("the driver saw an executor lost:%n%s", driverLog).isTrue();
            assertThat(driverLog.substring(lost.end())).as(driverLog).containsPattern("executor \\S+ joined");
            assertThat(containers.values().stream().flatMap(List::stream).toList()).contains(killed).hasSize(4);
            assertThat(containers).as("containers by NodeManager").hasSize(2);

            MarkovRun.assertLatestCheckpointGenerates(run, 2);
            assertThat(Files.readString(driverOut)).contains("epoch 2/2");
            // The configuration file travelled into the driver's container, where the driver read it.
            assertThat(containerLog(app, amContainer(app), "directory.info")).content().contains("train-lstm.conf");
        } finally {
            train.destroyForcibly();
        }

        script.submitAndWait(Map.of(), "evaluate", "conf/evaluate.conf", List.of("--checkpoint", run, "-d", dataset), 180);
        inLocalMode.get(300, TimeUnit.SECONDS);

        var storage = new Storage();
        List<MetricsLine> onYarn = RunHistory.read(storage, run).epochs();
        List<MetricsLine> locally = RunHistory.read(storage, storage.qualify(local)).epochs();
        assertThat(onYarn).hasSize(2);
        assertThat(locally).hasSize(2);
        for (int epoch = 0; epoch < 2; epoch++) {
            System.out.printf("YarnClusterIT: epoch %d: train %.6f, validation %.6f nats/char on YARN;"
                            + " %.6f, %.6f in local[2]%n", epoch + 1, onYarn.get(epoch).trainLoss(),
                    onYarn.get(epoch).validationLoss(), locally.get(epoch).trainLoss(), locally.get(epoch).validationLoss());
            assertThat(onYarn.get(epoch).rounds()).isEqualTo(locally.get(epoch).rounds());
            // Same plan, seeds and averaging of two one-thread workers, on the same CPU with the same ND4J: the
            // same float operations in the same order (the driver may add the two workers' results either way, and
            // a + b = b + a; the killed executor's tasks ran again from the same broadcast on the same minibatches),
            // so the losses agree to every printed digit. 0.001 nats leaves room for summation order only; one
            // round more or less of training moves them by 0.004 to 0.07 nats here.
            assertThat(onYarn.get(epoch).trainLoss()).isCloseTo(locally.get(epoch).trainLoss(), within(1e-3));
            assertThat(onYarn.get(epoch).validationLoss()).isCloseTo(locally.get(epoch).validationLoss(), within(1e-3));
        }
        // evaluate on YARN (client mode): every validation character of the best checkpoint, the loss that
        // training measured.
        var evaluation = JSON.readTree(storage.readAll(run + "/report/report.json")).path("evaluation");
        System.out.printf("YarnClusterIT: evaluate on YARN: %.6f nats/char over %d characters%n",
                evaluation.path("natsPerCharacter").asDouble(), evaluation.path("characters").asLong());
        assertThat(evaluation.path("natsPerCharacter").asDouble())
                .isCloseTo(locally.get(1).validationLoss(), within(1e-3));
    }

    /** The containers that ran for an application, by NodeManager: the folders they left in the NodeManagers' log folders. */
    private static Map<Integer, List<String>> containersOf(String application) throws IOException {
        var byNode = new HashMap<Integer, List<String>>();
        var folders = yarn.nodeManagerFolders(YarnConfiguration.NM_LOG_DIRS);
        for (int node = 0; node < folders.size(); node++) {
            Path app = Path.of(folders.get(node).toString().split(",")[0]).resolve(application);
            if (Files.isDirectory(app)) {
                try (Stream<Path> containers = Files.list(app)) {
                    byNode.put(node, containers.map(p -> p.getFileName().toString()).sorted().toList());
                }
            }
        }
        return byNode;
    }

    /** Waits until the newest application of that name is running; fails if the submission ends first. */
    private static ApplicationReport waitForRunning(String name, Process submission) throws Exception {
        long deadline = System.currentTimeMillis() + 120_000;
        while (true) {
            var running = yarn.applications().stream().filter(a -> a.getName().equals(name)
                    && a.getYarnApplicationState() == YarnApplicationState.RUNNING).findFirst();
            if (running.isPresent()) {
                return running.get();
            }
            assertThat(submission.isAlive()).as("the submission ended early:%n%s", script.log("train")).isTrue();
            assertThat(System.currentTimeMillis()).as("waiting for %s to run", name).isLessThan(deadline);
            Thread.sleep(200);
        }
    }

    /** The ApplicationMaster's container of an application's first attempt. */
    private static String amContainer(String application) {
        return application.replace("application_", "container_") + "_01_000001";
    }

    /** A log file of a container, in the log folder of the NodeManager that ran it (null if none did yet). */
    private static Path containerLog(String application, String container, String name) {
        return yarn.nodeManagerFolders(YarnConfiguration.NM_LOG_DIRS).stream()
                .map(folder -> folder.resolve(application).resolve(container).resolve(name))
                .filter(Files::exists).findFirst()
                .orElse(yarn.nodeManagerFolders(YarnConfiguration.NM_LOG_DIRS).get(0)
                        .resolve(application).resolve(container).resolve(name));
    }

    /**
     * The executor JVMs of an application: processes under this JVM (whose NodeManagers launch the containers)
     * started as Spark's YARN executor of that application.
     */
    private static List<ProcessHandle> executorsOf(String application) {
        return ProcessHandle.current().descendants().filter(p -> p.info().command().orElse("").endsWith("/java")).filter(p -> {
            String command = p.info().commandLine().orElse("");
            return command.contains("YarnCoarseGrainedExecutorBackend") && command.contains(" --app-id " + application + " ");
        }).toList();
    }

    /** The container an executor process runs in: its log folder, in its command line, is named after it. */
    private static String containerOf(ProcessHandle executor) {
        Matcher container = Pattern.compile("(container_[0-9_]+)").matcher(executor.info().commandLine().orElse(""));
        assertThat(container.find()).as("container id in the command line of pid %d", executor.pid()).isTrue();
        return container.group(1);
    }
}
