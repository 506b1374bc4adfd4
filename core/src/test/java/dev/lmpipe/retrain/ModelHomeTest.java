package dev.lmpipe.retrain;

import dev.lmpipe.model.LstmSpec;
import dev.lmpipe.model.Optimization;
import dev.lmpipe.storage.Storage;
import dev.lmpipe.text.Vocabulary;
import dev.lmpipe.train.CheckpointStore;
import dev.lmpipe.train.TrainConfig;
import dev.lmpipe.train.TrainingState;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link ModelHome#recover} on the states a crash can leave between recording a decision and moving
 * {@code champion}, and on the states it must leave alone. RetrainIT kills a real retraining at that point.
 */
class ModelHomeTest {
    private static final Vocabulary VOCABULARY = new Vocabulary("\n abc".codePoints().toArray());
    private static final Instant NOW = Instant.parse("2026-12-03T02:00:00Z");

    private final Storage storage = new Storage();

    @TempDir
    Path dir;

    private ModelHome home;
    private String first;
    private String second;

    @BeforeEach
    void twoNightsOfCheckpoints() {
        home = new ModelHome(storage, dir.resolve("home").toString());
        MultiLayerNetwork network = new LstmSpec(4, 8, 1, 0.0).build(VOCABULARY.size(), new Optimization(0.01, 1.0, 6, 6, 42));
        first = commit("night-1", network);
        second = commit("night-2", network);
    }

    private String commit(String run, MultiLayerNetwork network) {
        var state = new TrainingState(1, 10L, 2L, 120L, 42, 1.5, 1.4, 1, 0, null, null, VOCABULARY.fingerprint(),
                "0badf00d", TrainConfig.DEFAULTS, Map.of("lmpipe.commit", "test"), 0, 0, null);
        var store = new CheckpointStore(storage, Storage.child(Storage.child(home.path(), "runs"), run + "/train"));
        return store.commit(network, VOCABULARY, state, true);
    }

    private static Decision decision(String run, String champion, String challenger, boolean promoted) {
        return new Decision("2026-12-02T02:00:00Z", run, List.of("night.txt"), Map.of("train", 900L, "test", 100L),
                "test", 100, champion, champion == null ? null : 1.50, challenger, 1.40, 0.01, promoted, "because");
    }

    /** The champion the record says: the one the last decision left. */
    private Optional<String> recordedChampion() {
        List<Decision> decisions = home.decisions();
        return Optional.ofNullable(decisions.get(decisions.size() - 1).championAfter());
    }

    @Test
    void completesAPromotionRecordedButNotMade() {
        home.record(decision("night-1", null, first, true));
        home.promote(first);
        home.record(decision("night-2", first, second, true)); // ... and the run died here

        Optional<String> done = home.recover(NOW);

        assertThat(done).hasValueSatisfying(line -> assertThat(line).isEqualTo("promotion completed: run night-2 recorded the"
                + " promotion of " + second + " but stopped before moving champion; champion now names it"));
        assertThat(home.champion()).contains(second);
        assertThat(home.champion()).isEqualTo(recordedChampion());
        assertThat(home.decisions()).hasSize(2);
        assertThat(home.recover(NOW)).as("a second recovery has nothing to do").isEmpty();
    }

    @Test
    void completesTheFirstModelsPromotion() {
        home.record(decision("night-1", null, first, true)); // died before the home had any champion

        assertThat(home.recover(NOW)).isPresent();

        assertThat(home.champion()).contains(first);
    }

    @Test
    void withdrawsAPromotionWhoseChallengerIsNoLongerComplete() throws IOException {
        home.record(decision("night-1", null, first, true));
        home.promote(first);
        home.record(decision("night-2", first, second, true));
        Files.delete(Path.of(java.net.URI.create(Storage.child(second, "_SUCCESS"))));

        Optional<String> done = home.recover(NOW);

        assertThat(done).hasValueSatisfying(line -> assertThat(line).isEqualTo(home.decisions().get(2).reason()));
        assertThat(home.champion()).as("the committed champion is kept").contains(first);
        Decision withdrawn = home.decisions().get(2);
        assertThat(withdrawn.promoted()).isFalse();
        assertThat(withdrawn.challenger()).isEqualTo(second);
        assertThat(withdrawn.time()).isEqualTo(NOW.toString());
        assertThat(withdrawn.reason()).isEqualTo("promotion withdrawn: run night-2 recorded the promotion of " + second
                + " but stopped before moving champion, and the challenger is no longer usable (checkpoint " + second
                + " is incomplete (no _SUCCESS)); the champion stays " + first);
        System.out.println("ModelHomeTest: " + withdrawn.reason());
        assertThat(home.champion()).isEqualTo(recordedChampion());
        assertThat(home.recover(NOW)).isEmpty();
    }

    @Test
    void leavesAHomeWhoseRecordAndChampionAgreeAlone() {
        assertThat(home.recover(NOW)).as("a new home").isEmpty();
        home.record(decision("night-1", null, first, true));
        home.promote(first);
        assertThat(home.recover(NOW)).isEmpty();
        home.record(decision("night-2", first, second, false));
        assertThat(home.recover(NOW)).as("not promoted").isEmpty();
        assertThat(home.champion()).contains(first);
    }

    @Test
    void leavesAChampionSetByHandAlone() {
        home.record(decision("night-1", null, first, true));
        home.promote(first);
        home.record(decision("night-2", first, second, true));
        home.promote(second);
        String third = commit("by-hand", new LstmSpec(4, 8, 1, 0.0).build(VOCABULARY.size(),
                new Optimization(0.01, 1.0, 6, 6, 7)));
        home.promote(third);

        assertThat(home.recover(NOW)).isEmpty();

        assertThat(home.champion()).contains(third);
        assertThat(home.decisions()).hasSize(2);
    }
}
