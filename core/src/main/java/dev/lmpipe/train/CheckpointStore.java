package dev.lmpipe.train;

import dev.lmpipe.LmpipeException;
import dev.lmpipe.config.Json;
import dev.lmpipe.data.Shards;
import dev.lmpipe.storage.Storage;
import dev.lmpipe.text.Vocabulary;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * The checkpoints of a run directory:
 * <pre>
 *   run/checkpoints/epoch-0003/  model.zip (network + updater state), vocabulary.json, state.json, _SUCCESS
 *   run/latest                    "epoch-0003": the newest complete checkpoint, for --resume
 *   run/best                      the checkpoint with the lowest validation loss, for evaluate and generate
 * </pre>
 * A checkpoint is written under a temporary name, renamed into place, and only then do the pointers move
 * (each rewritten by write-then-rename). A checkpoint is never overwritten in place.
 */
public final class CheckpointStore {
    public static final String LATEST = "latest";
    public static final String BEST = "best";
    private static final String MODEL = "model.zip";
    private static final String VOCABULARY = "vocabulary.json";
    private static final String STATE = "state.json";

    private final Storage storage;
    private final String run;

    public CheckpointStore(Storage storage, String run) {
        this.storage = storage;
        this.run = run;
    }

    public static String name(int epoch) {
        return String.format("epoch-%04d", epoch);
    }

    /** Writes a checkpoint for {@code state.epoch()} and moves {@code latest} (and {@code best} if asked). */
    public String commit(MultiLayerNetwork network, Vocabulary vocabulary, TrainingState state, boolean best) {
        byte[] model = serialize(network, true);
        var withDigest = state.withModel(new TrainingState.FileDigest(model.length, Shards.crc32c(model)));
        String name = name(state.epoch());
        String target = Storage.child(Storage.child(run, "checkpoints"), name);
        try (var staged = storage.stage(target, true)) {
            storage.writeAll(staged.file(MODEL), model);
            storage.writeAll(staged.file(VOCABULARY), Json.write(vocabulary));
            storage.writeAll(staged.file(STATE), Json.write(withDigest));
            staged.commit();
        }
        movePointer(LATEST, name);
        if (best) {
            movePointer(BEST, name);
        }
        return target;
    }

    private void movePointer(String pointer, String name) {
        String path = Storage.child(run, pointer);
        String temp = path + ".tmp";
        if (storage.exists(temp)) {
            storage.delete(temp);
        }
        storage.writeAll(temp, (name + "\n").getBytes(StandardCharsets.UTF_8));
        storage.replace(temp, path);
    }

    /** The checkpoint a pointer names, if the run has one. */
    public Optional<String> pointer(String pointer) {
        String path = Storage.child(run, pointer);
        if (!storage.exists(path)) {
            return Optional.empty();
        }
        String name = new String(storage.readAll(path), StandardCharsets.UTF_8).strip();
        return Optional.of(Storage.child(Storage.child(run, "checkpoints"), name));
    }

    /**
     * Resolves what a user passed as a checkpoint: a checkpoint directory itself, or a run directory (then its
     * {@code preferred} pointer, falling back to {@code latest}).
     */
    public static String resolve(Storage storage, String path, String preferred) {
        if (storage.exists(Storage.child(path, STATE))) {
            return path;
        }
        var store = new CheckpointStore(storage, path);
        return store.pointer(preferred).or(() -> store.pointer(LATEST)).orElseThrow(() -> new LmpipeException(
                "no checkpoint at " + path + ": expected a checkpoint directory (with state.json) or a run directory"
                        + " (with '" + preferred + "' or 'latest'); has lmpipe train run there?"));
    }

    /** The vocabulary of a complete checkpoint, without loading its model. */
    public static Vocabulary vocabulary(Storage storage, String checkpoint) {
        if (!storage.exists(Storage.child(checkpoint, "_SUCCESS"))) {
            throw new LmpipeException("checkpoint " + checkpoint + " is incomplete (no _SUCCESS)");
        }
        try {
            return Json.read(storage.readAll(Storage.child(checkpoint, VOCABULARY)), Vocabulary.class);
        } catch (IOException e) {
            throw new LmpipeException("cannot read the vocabulary of checkpoint " + checkpoint + ": " + e.getMessage(), e);
        }
    }

    /** Loads and verifies a checkpoint: complete, model.zip matching its recorded checksum. */
    public static Checkpoint load(Storage storage, String checkpoint) {
        if (!storage.exists(Storage.child(checkpoint, "_SUCCESS"))) {
            throw new LmpipeException("checkpoint " + checkpoint + " is incomplete (no _SUCCESS)");
        }
        try {
            var state = readState(storage.readAll(Storage.child(checkpoint, STATE)));
            var vocabulary = Json.read(storage.readAll(Storage.child(checkpoint, VOCABULARY)), Vocabulary.class);
            byte[] model = storage.readAll(Storage.child(checkpoint, MODEL));
            if (model.length != state.model().bytes() || !Shards.crc32c(model).equals(state.model().crc32c())) {
                throw new LmpipeException("checkpoint " + checkpoint + " is corrupt: model.zip does not match the size"
                        + " and checksum in state.json");
            }
            MultiLayerNetwork network = restore(model, true);
            return new Checkpoint(checkpoint, network, vocabulary, state);
        } catch (IOException e) {
            throw new LmpipeException("cannot read checkpoint " + checkpoint + ": " + e.getMessage(), e);
        }
    }

    /** Reads state.json; settings added to TrainConfig since it was written take their defaults. */
    static TrainingState readState(byte[] bytes) throws IOException {
        var tree = (com.fasterxml.jackson.databind.node.ObjectNode) Json.MAPPER.readTree(bytes);
        tree.set("config", Json.withDefaults(tree.get("config"), TrainConfig.DEFAULTS));
        return Json.MAPPER.treeToValue(tree, TrainingState.class);
    }

    /** A network as ModelSerializer's zip bytes, with or without the updater (Adam) state. */
    public static byte[] serialize(MultiLayerNetwork network, boolean updater) {
        var bytes = new ByteArrayOutputStream();
        try {
            ModelSerializer.writeModel(network, bytes, updater);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    public static MultiLayerNetwork restore(byte[] model, boolean updater) {
        try {
            return ModelSerializer.restoreMultiLayerNetwork(new ByteArrayInputStream(model), updater);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
