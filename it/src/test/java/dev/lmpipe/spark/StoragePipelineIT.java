package dev.lmpipe.spark;

import dev.lmpipe.config.ConfigLoader;
import dev.lmpipe.data.Manifest;
import dev.lmpipe.data.TokenizeConfig;
import dev.lmpipe.eval.EvaluateConfig;
import dev.lmpipe.generate.Generator;
import dev.lmpipe.generate.Sampler;
import dev.lmpipe.generate.UnknownCharacters;
import dev.lmpipe.report.RunHistory;
import dev.lmpipe.retrain.Decision;
import dev.lmpipe.retrain.ModelHome;
import dev.lmpipe.retrain.RetrainConfig;
import dev.lmpipe.storage.Storage;
import dev.lmpipe.train.CheckpointStore;
import dev.lmpipe.train.TrainConfig;
import dev.lmpipe.train.TrainingState;
import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * The same pipeline on file://, hdfs:// (MiniDFSCluster) and s3a:// (s3proxy): tokenize, train with checkpoints
 * inside epochs, resume, evaluate with its report, generate, and a first retraining; then the three runs must
 * agree, and the S3 secret must appear in nothing the run printed or wrote: the jobs' output, this JVM's standard
 * output and error, the log (log4j, raised to INFO), Spark's event log and local folder, HDFS's folders, the S3
 * objects, the file:// outputs, and whatever else changed in the test JVM's own java.io.tmpdir (it/pom.xml).
 * Everything runs in this JVM: no subprocess prints elsewhere.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class StoragePipelineIT {
    private static final String ALPHABET = "abcdefgh";
    private static JavaSparkContext sc;
    private static HdfsServer hdfs;
    private static S3Server s3;
    private static Storage storage;
    private static final Map<String, Result> RESULTS = new TreeMap<>();
    private static final ByteArrayOutputStream LOG = new ByteArrayOutputStream();
    private static final PrintStream OUT = new PrintStream(LOG, true, StandardCharsets.UTF_8);
    /** What this class's run prints, from its start to its end. */
    private static OutputCapture output;
    private static FileTime began;

    @TempDir
    static Path work;

    private record Result(double validationAfterResume, double testBits, String generated, long rounds,
                          Decision decision) {
    }

    @BeforeAll
    static void startServers() throws Exception {
        // Whole seconds: some file systems keep modification times to the second.
        began = FileTime.from(Instant.now().truncatedTo(ChronoUnit.SECONDS).minusSeconds(1));
        output = new OutputCapture(work.resolve("logs/log4j.log"));
        hdfs = new HdfsServer(work.resolve("hdfs"));
        s3 = new S3Server(work.resolve("s3"), "pipeline");
        storage = s3.storage(work);
        // The run's own Spark folders, to search afterwards. Spark writes what it keeps on disk (shuffle files,
        // blocks that do not fit in memory) compressed unless told not to: uncompressed, a secret would show.
        var spark = Map.of("spark.local.dir", work.resolve("spark-local").toString(),
                "spark.eventLog.enabled", "true", "spark.eventLog.dir", work.resolve("spark-events").toUri().toString(),
                "spark.shuffle.compress", "false", "spark.shuffle.spill.compress", "false",
                "spark.broadcast.compress", "false", "spark.rdd.compress", "false");
        Files.createDirectories(work.resolve("spark-events"));
        spark.forEach(System::setProperty);
        try {
            sc = LocalSpark.start("StoragePipelineIT");
        } finally {
            spark.keySet().forEach(System::clearProperty);
        }
        // Spark's context has turned the root logger down to WARN: INFO for this run, so that the log says more.
        output.logInfo();
    }

    @AfterAll
    static void stopServers() throws Exception {
        if (sc != null) {
            sc.stop();
        }
        FileSystem.closeAll();
        if (s3 != null) {
            s3.close();
        }
        if (hdfs != null) {
            hdfs.close();
        }
        if (output != null) {
            output.close();
        }
    }

    private static String root(String scheme) {
        return switch (scheme) {
            case "file" -> work.resolve("local").toUri().toString();
            case "hdfs" -> hdfs.root();
            case "s3a" -> s3.root();
            default -> throw new IllegalArgumentException(scheme);
        };
    }

    private static TrainConfig train(String dataset, String run, int epochs) {
        return ConfigLoader.load(TrainConfig.class, TrainConfig.DEFAULTS, null, List.of("dataset=" + dataset,
                "output=" + run, "model.embedding=8", "model.hidden=32", "seqLen=32", "tbptt=32", "batchSize=16",
                "averagingFrequency=2", "epochs=" + epochs, "learningRate=0.01", "report=false",
                "checkpoint.everyRounds=4", "checkpoint.keep=2"));
    }

    @Order(1)
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"file", "hdfs", "s3a"})
    void pipeline(String scheme) throws Exception {
        String root = Storage.child(root(scheme), "lmpipe");
        var chain = new MarkovCorpus(ALPHABET, 3);
        String corpus = Storage.child(root, "corpus/markov.txt");
        storage.writeAll(corpus, chain.generate(40_000, 4).getBytes(StandardCharsets.UTF_8));

        String dataset = Storage.child(root, "dataset");
        Manifest manifest = TokenizeJob.run(sc, storage, ConfigLoader.load(TokenizeConfig.class, TokenizeConfig.DEFAULTS,
                null, List.of("input=" + Storage.child(root, "corpus"), "output=" + dataset, "blockBytes=1024",
                        "validationFraction=0.1", "testFraction=0.1")), false, OUT);
        assertThat(storage.exists(Storage.child(dataset, "_SUCCESS"))).isTrue();
        assertThat(manifest.vocabulary().size()).isBetween(3, ALPHABET.length() + 1);

        // One epoch, then --resume to a second: checkpoints within epochs, pruning, pointers on this file system.
        String run = Storage.child(root, "run");
        new TrainJob(sc, storage, train(dataset, run, 1), OUT).run(false, false);
        TrainingState last = new TrainJob(sc, storage, train(dataset, run, 2), OUT).run(true, false);
        assertThat(last.epoch()).isEqualTo(2);
        var store = new CheckpointStore(storage, storage.qualify(run));
        assertThat(store.pointer(CheckpointStore.LATEST)).hasValueSatisfying(p -> assertThat(p).endsWith("epoch-0002"));
        // s3proxy's file store keeps a pruned checkpoint's emptied folder as a prefix: count complete ones.
        var complete = store.checkpoints().stream().map(name -> Storage.child(store.directory(), name))
                .filter(path -> storage.exists(Storage.child(path, "_SUCCESS"))).toList();
        complete.forEach(path -> CheckpointStore.load(storage, path));
        assertThat(complete).as("checkpoint.keep = 2, plus best").hasSizeBetween(2, 3);
        assertThat(RunHistory.read(storage, storage.qualify(run)).rounds()).hasSize((int) last.rounds());

        var evaluate = ConfigLoader.load(EvaluateConfig.class, EvaluateConfig.DEFAULTS, null, List.of(
                "checkpoint=" + run, "dataset=" + dataset, "split=test"));
        var report = EvaluateJob.run(sc, storage, evaluate, false, OUT).evaluation();
        assertThat(storage.exists(Storage.child(run, "report/report.html"))).isTrue();
        assertThat(storage.exists(Storage.child(run, "report/_SUCCESS"))).isTrue();

        var checkpoint = CheckpointStore.load(storage, CheckpointStore.resolve(storage, storage.qualify(run), CheckpointStore.BEST));
        var generator = new Generator(checkpoint.network(), checkpoint.vocabulary(), checkpoint.spec().window());
        String text = generator.generate(generator.encodePrompt(chain.generate(8, 4), UnknownCharacters.fail), 100,
                new Sampler(1.0, 5));
        assertThat(text.codePoints()).hasSize(100).allMatch(c -> ALPHABET.indexOf(c) >= 0);

        // A first retraining in a model home on this file system: its model becomes the champion.
        String night = Storage.child(root, "incoming/night-1.txt");
        storage.writeAll(night, chain.generate(30_000, 5).getBytes(StandardCharsets.UTF_8));
        String home = Storage.child(root, "home");
        var retrain = ConfigLoader.load(RetrainConfig.class, RetrainConfig.DEFAULTS, null, List.of("home=" + home,
                "input=" + night, "tokenize.blockBytes=1024", "tokenize.validationFraction=0.1",
                "tokenize.testFraction=0.1", "train.model.embedding=8", "train.model.hidden=32", "train.seqLen=32",
                "train.tbptt=32", "train.batchSize=16", "train.epochs=1", "train.report=false"));
        Decision decision = RetrainJob.run(sc, storage, retrain, OUT);
        assertThat(decision.promoted()).isTrue();
        assertThat(new ModelHome(storage, home).champion()).contains(decision.challenger());
        assertThat(CheckpointStore.resolve(storage, storage.qualify(home), CheckpointStore.BEST)).isEqualTo(decision.challenger());

        RESULTS.put(scheme, new Result(last.validationLoss(), report.bitsPerCharacter(), text, last.rounds(), decision));
        System.out.printf("StoragePipelineIT %s: %d rounds, validation %.5f nats/char after resume, test %.5f bits/char,"
                + " retrain challenger %.5f bits/char%n", root, last.rounds(), last.validationLoss(),
                report.bitsPerCharacter(), decision.challengerBitsPerCharacter());
    }

    @Order(2)
    @Test
    void theThreeFileSystemsGiveTheSameRunAndNoSecretLeaks() throws Exception {
        assertThat(RESULTS).containsOnlyKeys("file", "hdfs", "s3a");
        Result file = RESULTS.get("file");
        for (Result other : List.of(RESULTS.get("hdfs"), RESULTS.get("s3a"))) {
            // Same data, seeds and plan: the same training up to the order of float reductions.
            assertThat(other.rounds()).isEqualTo(file.rounds());
            assertThat(other.validationAfterResume()).isCloseTo(file.validationAfterResume(), within(1e-3));
            assertThat(other.testBits()).isCloseTo(file.testBits(), within(1e-3));
            assertThat(other.decision().challengerBitsPerCharacter())
                    .isCloseTo(file.decision().challengerBitsPerCharacter(), within(1e-3));
        }

        assertThat(LOG.toString(StandardCharsets.UTF_8)).contains("s3a://pipeline/");
        assertThat(storage.toString()).doesNotContain(S3Server.SECRET_KEY);
        var scan = new SecretScan(S3Server.SECRET_KEY);
        scan.output("the jobs' output", LOG.toByteArray());
        scan.output("standard output and error", output.console());
        var places = new TreeMap<String, Path>(Map.of("log4j's log", work.resolve("logs"),
                "Spark's event log", work.resolve("spark-events"), "spark.local.dir", work.resolve("spark-local"),
                "HDFS (name and data node folders)", work.resolve("hdfs"), "S3 objects", s3.folder(),
                "file:// outputs", work.resolve("local")));
        places.forEach((place, folder) -> scan.folder(place, folder, began, Set.of()));
        // The rest: anything else of this test's folder (s3a's buffer) and of this JVM's temporary folder, which
        // holds the test's folder, Spark's and DL4J's temporary files, and is this module's alone (it/pom.xml).
        Path tmpdir = Path.of(System.getProperty("java.io.tmpdir")).toAbsolutePath().normalize();
        assertThat(tmpdir).as("java.io.tmpdir: the failsafe JVM's own (run through Maven)")
                .startsWith(Path.of("target").toAbsolutePath());
        assertThat(work.toAbsolutePath().normalize()).startsWith(tmpdir);
        scan.folder("java.io.tmpdir, the rest", tmpdir, began, Set.copyOf(places.values()));

        String summary = scan.summary();
        System.out.println("StoragePipelineIT: " + summary);
        assertThat(scan.findings()).as("the S3 secret in: %s", summary).isEmpty();
        // Floors well below what a run writes (about 200 files, 9 MB), above what a scan of empty or missing folders
        // would count.
        assertThat(scan.files()).as(summary).isGreaterThan(100);
        assertThat(scan.bytes()).as(summary).isGreaterThan(1_000_000);
        for (String place : List.of("log4j's log", "Spark's event log", "HDFS (name and data node folders)",
                "S3 objects", "file:// outputs")) {
            assertThat(scan.tally(place).files()).as(summary).isPositive();
        }
        // Spark keeps this run's blocks in memory (the character tokenizer shuffles nothing), so its local folder
        // holds its block manager's and temporary folders, whose names were searched; any file in them was read.
        try (var folders = Files.list(work.resolve("spark-local"))) {
            assertThat(folders.map(p -> p.getFileName().toString())).as(summary).anyMatch(n -> n.startsWith("blockmgr-"));
        }
        assertThat(scan.tally("log4j's log").bytes()).as(summary).isGreaterThan(10_000);
        assertThat(scan.tally("standard output and error").bytes()).as(summary).isPositive();
    }
}
