package dev.lmpipe.train;

import dev.lmpipe.LmpipeException;
import dev.lmpipe.data.Minibatches;
import dev.lmpipe.model.LstmSpec;
import dev.lmpipe.model.Optimization;
import dev.lmpipe.storage.Storage;
import dev.lmpipe.text.Vocabulary;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.dataset.DataSet;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CheckpointStoreTest {
    private static final Vocabulary VOCABULARY = new Vocabulary("\n abc".codePoints().toArray());

    private final Storage storage = new Storage();

    @TempDir
    Path dir;

    private String run;
    private CheckpointStore store;
    private MultiLayerNetwork network;
    private DataSet data;

    @BeforeEach
    void trainATinyNetwork() {
        run = dir.resolve("run").toString();
        store = new CheckpointStore(storage, run);
        network = new LstmSpec(8, 16, 1, 0.0).build(VOCABULARY.size(), new Optimization(0.01, 1.0, 6, 6, 42));
        int[][] windows = {{3, 4, 5, 2, 3, 4, 5}, {5, 2, 3, 4, 5, 1, 3}};
        data = Minibatches.fromWindows(windows);
        for (int i = 0; i < 3; i++) {
            network.fit(data); // so that Adam's moment estimates are not all zero
        }
    }

    private static TrainingState state(int epoch) {
        return new TrainingState(epoch, 10L * epoch, 2L * epoch, 120L * epoch, 42, 1.5, 1.4, 1, 0, null, null,
                VOCABULARY.fingerprint(), "0badf00d", TrainConfig.DEFAULTS, Map.of("lmpipe.commit", "test"), 0, 0, null);
    }

    private Path local(String path) {
        return Path.of(java.net.URI.create(storage.qualify(path)));
    }

    @Test
    void commitThenLoadGivesTheSameOutputUpdaterStateVocabularyAndState() {
        String path = store.commit(network, VOCABULARY, state(1), true);

        Checkpoint loaded = CheckpointStore.load(storage, path);

        float[] expected = network.output(data.getFeatures(), false).dup('c').data().asFloat();
        float[] actual = loaded.network().output(data.getFeatures(), false).dup('c').data().asFloat();
        assertThat(actual).containsExactly(expected);
        float[] updater = network.getUpdater().getStateViewArray().dup('c').data().asFloat();
        assertThat(updater).isNotEmpty();
        assertThat(contains(updater, v -> v != 0f)).as("Adam's state after three fits").isTrue();
        assertThat(loaded.network().getUpdater().getStateViewArray().dup('c').data().asFloat()).containsExactly(updater);
        assertThat(loaded.vocabulary()).isEqualTo(VOCABULARY);
        assertThat(loaded.state().epoch()).isEqualTo(1);
        assertThat(loaded.state().trainedCharacters()).isEqualTo(120);
        assertThat(loaded.state().config()).isEqualTo(TrainConfig.DEFAULTS);
        assertThat(loaded.state().vocabularyFingerprint()).isEqualTo(VOCABULARY.fingerprint());
        assertThat(loaded.state().model()).as("commit records the model's digest").isNotNull();
        assertThat(loaded.state().model().bytes()).isPositive();
    }

    private static boolean contains(float[] values, java.util.function.Predicate<Float> test) {
        for (float v : values) {
            if (test.test(v)) {
                return true;
            }
        }
        return false;
    }

    @Test
    void latestAlwaysMovesAndBestOnlyWhenAsked() throws IOException {
        String first = store.commit(network, VOCABULARY, state(1), true);
        assertThat(store.pointer(CheckpointStore.LATEST)).contains(first);
        assertThat(store.pointer(CheckpointStore.BEST)).contains(first);

        String second = store.commit(network, VOCABULARY, state(2), false);
        assertThat(second).endsWith("epoch-0002");
        assertThat(store.pointer(CheckpointStore.LATEST)).contains(second);
        assertThat(store.pointer(CheckpointStore.BEST)).contains(first);

        String third = store.commit(network, VOCABULARY, state(3), true);
        assertThat(store.pointer(CheckpointStore.LATEST)).contains(third);
        assertThat(store.pointer(CheckpointStore.BEST)).contains(third);

        // Nothing temporary is left behind: no staging directories, no pointer .tmp files.
        try (Stream<Path> files = Files.walk(local(run))) {
            assertThat(files.map(p -> p.getFileName().toString()))
                    .noneMatch(name -> name.contains(".tmp") || name.contains(".old-"));
        }
        assertThat(Files.exists(local(second).resolve("_SUCCESS"))).isTrue();
    }

    @Test
    void runWithoutCheckpointsHasNoPointers() {
        assertThat(store.pointer(CheckpointStore.LATEST)).isEmpty();
        assertThat(store.pointer(CheckpointStore.BEST)).isEmpty();
    }

    @Test
    void flippedByteInModelZipIsReportedAsCorrupt() throws IOException {
        String path = store.commit(network, VOCABULARY, state(1), true);
        Path model = local(path).resolve("model.zip");
        byte[] bytes = Files.readAllBytes(model);
        bytes[bytes.length / 2] ^= 0x10;
        Files.write(model, bytes);

        assertThatThrownBy(() -> CheckpointStore.load(storage, path))
                .isInstanceOf(LmpipeException.class)
                .hasMessageContaining("corrupt")
                .hasMessageContaining(path);
    }

    @Test
    void outerMomentumTravelsWithTheCheckpointBitForBit() {
        float[] momentum = new float[(int) network.numParams()];
        for (int i = 0; i < momentum.length; i++) {
            momentum[i] = (float) Math.sin(i) * 1e-3f;
        }
        String path = store.commit(network, momentum, VOCABULARY, state(1), true);
        assertThat(CheckpointStore.load(storage, path).outerMomentum()).containsExactly(momentum);
        // A run without an outer optimizer writes no momentum and reads none.
        String plain = store.commit(network, VOCABULARY, state(2), true);
        assertThat(Files.exists(local(plain).resolve("outer-momentum.bin"))).isFalse();
        assertThat(CheckpointStore.load(storage, plain).outerMomentum()).isNull();
    }

    @Test
    void truncatedOuterMomentumIsReportedAsCorrupt() throws IOException {
        String path = store.commit(network, new float[(int) network.numParams()], VOCABULARY, state(1), true);
        Path momentum = local(path).resolve("outer-momentum.bin");
        byte[] bytes = Files.readAllBytes(momentum);
        Files.write(momentum, java.util.Arrays.copyOf(bytes, bytes.length - 4));

        assertThatThrownBy(() -> CheckpointStore.load(storage, path))
                .isInstanceOf(LmpipeException.class)
                .hasMessageContaining(path + " is corrupt: outer-momentum.bin");
    }

    @Test
    void checkpointWithoutSuccessMarkerIsIncomplete() throws IOException {
        String path = store.commit(network, VOCABULARY, state(1), true);
        Files.delete(local(path).resolve("_SUCCESS"));
        assertThatThrownBy(() -> CheckpointStore.load(storage, path))
                .isInstanceOf(LmpipeException.class)
                .hasMessageContaining("incomplete");
    }

    @Test
    void resolveOfARunGivesBestOfACheckpointItselfOfAnEmptyDirectoryFails() throws IOException {
        String first = store.commit(network, VOCABULARY, state(1), true);
        String second = store.commit(network, VOCABULARY, state(2), false);

        assertThat(CheckpointStore.resolve(storage, run, CheckpointStore.BEST)).isEqualTo(first);
        assertThat(CheckpointStore.resolve(storage, run, CheckpointStore.LATEST)).isEqualTo(second);
        assertThat(CheckpointStore.resolve(storage, second, CheckpointStore.BEST)).isEqualTo(second);

        String empty = Files.createDirectory(dir.resolve("empty")).toString();
        assertThatThrownBy(() -> CheckpointStore.resolve(storage, empty, CheckpointStore.BEST))
                .isInstanceOf(LmpipeException.class)
                .hasMessageContaining(empty);
    }

    @Test
    void resolveFallsBackToLatestWhenNoBestWasRecorded() {
        String only = store.commit(network, VOCABULARY, state(1), false);
        assertThat(store.pointer(CheckpointStore.BEST)).isEmpty();
        assertThat(CheckpointStore.resolve(storage, run, CheckpointStore.BEST)).isEqualTo(only);
    }

    private static TrainingState middle(int epochsDone, int round) {
        var s = state(epochsDone);
        return new TrainingState(s.epoch(), s.step() + round, s.rounds() + round, s.trainedCharacters(), s.seed(),
                Double.NaN, Double.POSITIVE_INFINITY, 0, 0, null, null, s.vocabularyFingerprint(), s.datasetManifest(),
                s.config(), s.versions(), round, 0.5 * round, null);
    }

    @Test
    void checkpointsWithinAnEpochAreNamedAndOrderedByProgress() {
        store.commit(network, VOCABULARY, state(1), true);
        String mid = store.commit(network, VOCABULARY, middle(1, 20), false);
        store.commit(network, VOCABULARY, middle(1, 5), false);
        store.commit(network, VOCABULARY, state(2), false);

        assertThat(mid).endsWith("epoch-0002-round-00020");
        assertThat(store.checkpoints()).containsExactly("epoch-0002", "epoch-0002-round-00020",
                "epoch-0002-round-00005", "epoch-0001");
        var loaded = CheckpointStore.load(storage, mid).state();
        assertThat(loaded.epochRound()).isEqualTo(20);
        assertThat(loaded.epochLossSum()).isEqualTo(10.0);
        assertThat(loaded.validationLoss()).as("no validation yet in epoch 1's middle survives JSON").isNaN();
    }

    @Test
    void resumeSkipsATruncatedNewestCheckpointAndSaysWhy() throws IOException {
        String first = store.commit(network, VOCABULARY, state(1), true);
        String second = store.commit(network, VOCABULARY, state(2), false);
        Path model = local(second).resolve("model.zip");
        byte[] bytes = Files.readAllBytes(model);
        Files.write(model, java.util.Arrays.copyOf(bytes, bytes.length / 3));
        // A crashed writer's leftovers: a staging directory and a pointer temporary.
        Files.createDirectories(local(run).resolve("checkpoints/.epoch-0003.tmp-1234"));
        Files.writeString(local(run).resolve(".latest.tmp-1234"), "epoch-0003\n");

        var warnings = new java.util.ArrayList<String>();
        var resumed = store.newestLoadable(warnings::add);

        assertThat(resumed).hasValueSatisfying(c -> assertThat(c.path()).isEqualTo(first));
        assertThat(warnings).singleElement().asString().contains(second).contains("corrupt").contains("model.zip");
        assertThat(Files.exists(local(run).resolve("checkpoints/.epoch-0003.tmp-1234"))).isFalse();
        assertThat(Files.exists(local(run).resolve(".latest.tmp-1234"))).isFalse();
    }

    @Test
    void truncatedStateOrDamagedVocabularyIsCorrupt() throws IOException {
        String path = store.commit(network, VOCABULARY, state(1), true);
        Path state = local(path).resolve("state.json");
        String json = Files.readString(state);
        Files.writeString(state, json.substring(0, json.length() / 2));
        assertThatThrownBy(() -> CheckpointStore.load(storage, path)).isInstanceOf(LmpipeException.class)
                .hasMessageContaining("corrupt").hasMessageContaining(path);

        Files.writeString(state, json);
        Files.writeString(local(path).resolve("vocabulary.json"),
                Files.readString(local(path).resolve("vocabulary.json")).replace("99", "100"));
        assertThatThrownBy(() -> CheckpointStore.load(storage, path)).isInstanceOf(LmpipeException.class)
                .hasMessageContaining("vocabulary.json");
    }

    @Test
    void pruneKeepsTheNewestAndEveryCheckpointAPointerNames() {
        store.commit(network, VOCABULARY, state(1), true);
        for (int epoch = 2; epoch <= 6; epoch++) {
            store.commit(network, VOCABULARY, state(epoch), false);
        }
        store.point(CheckpointStore.CHAMPION, Storage.child(store.directory(), "epoch-0002"));

        var deleted = store.prune(2);

        assertThat(deleted).extracting(Storage::name).containsExactlyInAnyOrder("epoch-0003", "epoch-0004");
        assertThat(store.checkpoints()).containsExactly("epoch-0006", "epoch-0005", "epoch-0002", "epoch-0001");
        assertThat(store.prune(0)).isEmpty();
    }
}
