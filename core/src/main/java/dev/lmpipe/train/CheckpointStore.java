package dev.lmpipe.train;

import dev.lmpipe.LmpipeException;
import dev.lmpipe.config.Json;
import dev.lmpipe.data.Shards;
import dev.lmpipe.storage.StagedDirectory;
import dev.lmpipe.storage.Storage;
import dev.lmpipe.text.Vocabulary;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The checkpoints of a run directory:
 * <pre>
 *   run/checkpoints/epoch-0003/              model.zip (network + updater state), vocabulary.json, state.json, _SUCCESS,
 *                                            outer-momentum.bin (the outer optimizer's state, when it has one)
 *   run/checkpoints/epoch-0004-round-00020/  the same, 20 averaging rounds into epoch 4 (checkpoint.everyRounds)
 *   run/latest                               "epoch-0004-round-00020": the newest complete checkpoint, for --resume
 *   run/best                                 the epoch checkpoint with the lowest validation loss
 * </pre>
 * A checkpoint is written through {@link Storage#stage} (a hidden directory renamed into place, or in place with
 * {@code _SUCCESS} last on object stores), read back and verified, and only then do the pointers move, each
 * rewritten atomically. state.json records the sizes and checksums of model.zip and outer-momentum.bin and the vocabulary's fingerprint, so a
 * truncated or damaged checkpoint is recognised before it is used. A complete checkpoint is never overwritten in
 * place; old ones are pruned ({@link #prune}) but never one that a pointer names.
 */
public final class CheckpointStore {
    public static final String LATEST = "latest";
    public static final String BEST = "best";
    /** The model a retraining schedule serves and compares challengers against. */
    public static final String CHAMPION = "champion";
    static final String DIRECTORY = "checkpoints";
    private static final String MODEL = "model.zip";
    private static final String VOCABULARY = "vocabulary.json";
    private static final String STATE = "state.json";
    /** One float32 per parameter, little-endian, in the network's parameter order. */
    private static final String OUTER_MOMENTUM = "outer-momentum.bin";
    private static final Pattern NAME = Pattern.compile("epoch-(\\d{4,})(?:-round-(\\d{5,}))?");

    private final Storage storage;
    private final String run;

    public CheckpointStore(Storage storage, String run) {
        this.storage = storage;
        this.run = run;
    }

    public static String name(int epoch) {
        return String.format("epoch-%04d", epoch);
    }

    /** The name of the checkpoint of a state: its epoch, or the epoch in progress and the rounds done in it. */
    public static String name(TrainingState state) {
        return state.atEpochEnd() ? name(state.epoch())
                : String.format("epoch-%04d-round-%05d", state.epoch() + 1, state.epochRound());
    }

    /** Training progress a checkpoint name stands for, as (epochs completed, rounds into the next), or null. */
    static long[] progress(String name) {
        Matcher m = NAME.matcher(name);
        if (!m.matches()) {
            return null;
        }
        long epoch = Long.parseLong(m.group(1));
        return m.group(2) == null ? new long[]{epoch, 0} : new long[]{epoch - 1, Long.parseLong(m.group(2))};
    }

    private static final Comparator<String> NEWEST_FIRST = Comparator.<String, Long>comparing(n -> progress(n)[0])
            .thenComparing(n -> progress(n)[1]).reversed();

    public String directory() {
        return Storage.child(run, DIRECTORY);
    }

    /**
     * Writes the checkpoint of {@code state}, verifies it by loading it back, and moves {@code latest} (and
     * {@code best} if asked). A failure leaves the pointers where they were.
     */
    public String commit(MultiLayerNetwork network, Vocabulary vocabulary, TrainingState state, boolean best) {
        return commit(network, null, vocabulary, state, best);
    }

    /** {@link #commit(MultiLayerNetwork, Vocabulary, TrainingState, boolean)} with the outer optimizer's momentum. */
    public String commit(MultiLayerNetwork network, float[] outerMomentum, Vocabulary vocabulary, TrainingState state,
                         boolean best) {
        byte[] model = serialize(network, true);
        byte[] momentum = outerMomentum == null ? null : floats(outerMomentum);
        var withDigest = state.withFiles(digest(model), momentum == null ? null : digest(momentum));
        String target = Storage.child(directory(), name(state));
        // Read before writing: when storage fails, the error names the good checkpoint without touching storage.
        Optional<String> previous = pointer(LATEST);
        try {
            // A directory of this name here is never a good checkpoint: resume starts from the newest loadable
            // one, so anything at a later name is incomplete or damaged, and is replaced.
            try (var staged = storage.stage(target, true)) {
                storage.writeAll(staged.file(MODEL), model);
                if (momentum != null) {
                    storage.writeAll(staged.file(OUTER_MOMENTUM), momentum);
                }
                storage.writeAll(staged.file(VOCABULARY), Json.write(vocabulary));
                storage.writeAll(staged.file(STATE), Json.write(withDigest));
                staged.commit();
            }
            verify(storage, target);
            point(LATEST, target);
            if (best) {
                point(BEST, target);
            }
        } catch (UncheckedIOException e) {
            throw new LmpipeException("cannot write checkpoint " + target + ": " + rootMessage(e) + "; "
                    + previous.map(p -> "the last complete checkpoint, " + p + ", is untouched")
                            .orElse("no earlier checkpoint exists") + "; rerun with --resume", e);
        }
        return target;
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root == e ? String.valueOf(e.getMessage()) : e.getMessage() + " (" + root.getClass().getSimpleName()
                + ": " + root.getMessage() + ")";
    }

    /** Points {@code pointer} (latest, best, champion) at a checkpoint of this run, atomically. */
    public void point(String pointer, String checkpoint) {
        storage.writeAtomically(Storage.child(run, pointer), (Storage.name(checkpoint) + "\n").getBytes(StandardCharsets.UTF_8));
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

    /** Names of the run's checkpoint directories, complete or not, newest first. */
    public List<String> checkpoints() {
        if (!storage.exists(directory())) {
            return List.of();
        }
        var names = new ArrayList<String>();
        for (var status : storage.list(directory())) {
            String name = status.getPath().getName();
            if (status.isDirectory() && progress(name) != null) {
                names.add(name);
            }
        }
        names.sort(NEWEST_FIRST);
        return names;
    }

    /**
     * The newest checkpoint that loads and verifies, for {@code --resume}: a truncated, damaged or incomplete one
     * is skipped and {@code warnings} told why; what a crash left half-written beside them is deleted.
     */
    public Optional<Checkpoint> newestLoadable(Consumer<String> warnings) {
        deleteStaging();
        for (String name : checkpoints()) {
            String path = Storage.child(directory(), name);
            try {
                return Optional.of(load(storage, path));
            } catch (LmpipeException | UncheckedIOException e) {
                warnings.accept("skipping checkpoint " + path + ": " + e.getMessage());
            }
        }
        return Optional.empty();
    }

    /** Deletes hidden staging directories and pointer temporaries that a killed writer left behind. */
    private void deleteStaging() {
        for (String directory : List.of(run, directory())) {
            if (!storage.exists(directory)) {
                continue;
            }
            for (var status : storage.list(directory)) {
                String name = status.getPath().getName();
                if (name.startsWith(".") && name.contains(".tmp-")) {
                    storage.delete(status.getPath().toString());
                }
            }
        }
    }

    /**
     * Deletes checkpoints older than the newest {@code keep} complete ones (0 keeps all), never one that
     * {@code latest}, {@code best} or {@code champion} names, nor any newer than {@code latest}. Returns the
     * deleted paths.
     */
    public List<String> prune(int keep) {
        if (keep <= 0) {
            return List.of();
        }
        var protectedNames = new HashSet<String>();
        for (String pointer : List.of(LATEST, BEST, CHAMPION)) {
            pointer(pointer).ifPresent(p -> protectedNames.add(Storage.name(p)));
        }
        String latest = pointer(LATEST).map(Storage::name).orElse(null);
        if (latest == null) {
            return List.of();
        }
        var deleted = new ArrayList<String>();
        int kept = 0;
        boolean olderThanLatest = false;
        for (String name : checkpoints()) {
            olderThanLatest |= name.equals(latest);
            String path = Storage.child(directory(), name);
            boolean complete = storage.exists(Storage.child(path, StagedDirectory.SUCCESS));
            if (complete && kept < keep) {
                kept++;
            } else if (olderThanLatest && !protectedNames.contains(name)) {
                storage.delete(path);
                deleted.add(path);
            }
        }
        return deleted;
    }

    /**
     * Resolves what a user passed as a checkpoint: a checkpoint directory itself, or a run directory (then its
     * {@code preferred} pointer, falling back to {@code latest}).
     */
    public static String resolve(Storage storage, String path, String preferred) {
        if (storage.exists(Storage.child(path, STATE))) {
            return path;
        }
        var champion = champion(storage, path);
        if (champion.isPresent()) {
            return champion.get();
        }
        var store = new CheckpointStore(storage, path);
        return store.pointer(preferred).or(() -> store.pointer(LATEST)).orElseThrow(() -> new LmpipeException(
                "no checkpoint at " + path + ": expected a checkpoint directory (with state.json), a run directory"
                        + " (with '" + preferred + "' or 'latest') or a model home (with 'champion'); has lmpipe train"
                        + " or retrain run there?"));
    }

    /**
     * The champion of a model home ({@code lmpipe retrain}): {@code home/champion} names a checkpoint by its path
     * relative to the home, so that a home can be copied or moved whole.
     */
    public static Optional<String> champion(Storage storage, String home) {
        String pointer = Storage.child(home, CHAMPION);
        if (!storage.exists(pointer)) {
            return Optional.empty();
        }
        String relative = new String(storage.readAll(pointer), StandardCharsets.UTF_8).strip();
        if (relative.isEmpty()) {
            throw new LmpipeException(pointer + " is empty: it should name the champion's checkpoint");
        }
        return Optional.of(relative.contains("://") || relative.startsWith("/") ? relative : Storage.child(home, relative));
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

    /** Loads and verifies a checkpoint: complete, model.zip and vocabulary matching state.json. */
    public static Checkpoint load(Storage storage, String checkpoint) {
        var contents = read(storage, checkpoint);
        try {
            return new Checkpoint(checkpoint, restore(contents.model, true), contents.vocabulary, contents.state,
                    contents.outerMomentum == null ? null : floats(contents.outerMomentum));
        } catch (RuntimeException e) {
            throw new LmpipeException("checkpoint " + checkpoint + " is corrupt: model.zip does not restore: " + e, e);
        }
    }

    /** Checks that a checkpoint is complete and its files match state.json, without restoring the network. */
    public static TrainingState verify(Storage storage, String checkpoint) {
        return read(storage, checkpoint).state;
    }

    private record Contents(TrainingState state, Vocabulary vocabulary, byte[] model, byte[] outerMomentum) {
    }

    private static Contents read(Storage storage, String checkpoint) {
        if (!storage.exists(Storage.child(checkpoint, StagedDirectory.SUCCESS))) {
            throw new LmpipeException("checkpoint " + checkpoint + " is incomplete (no _SUCCESS)");
        }
        TrainingState state;
        Vocabulary vocabulary;
        try {
            state = readState(storage.readAll(Storage.child(checkpoint, STATE)));
            vocabulary = Json.read(storage.readAll(Storage.child(checkpoint, VOCABULARY)), Vocabulary.class);
        } catch (IOException | RuntimeException e) {
            if (e instanceof LmpipeException lmpipe) {
                throw new LmpipeException("checkpoint " + checkpoint + " is corrupt: " + lmpipe.getMessage(), e);
            }
            throw new LmpipeException("checkpoint " + checkpoint + " is corrupt: state.json or vocabulary.json does not"
                    + " parse (" + e.getMessage() + ")", e);
        }
        byte[] model = storage.readAll(Storage.child(checkpoint, MODEL));
        if (state.model() == null || model.length != state.model().bytes()
                || !Shards.crc32c(model).equals(state.model().crc32c())) {
            throw new LmpipeException("checkpoint " + checkpoint + " is corrupt: model.zip (" + model.length
                    + " bytes) does not match the size and checksum in state.json");
        }
        if (!vocabulary.fingerprint().equals(state.vocabularyFingerprint())) {
            throw new LmpipeException("checkpoint " + checkpoint + " is corrupt: vocabulary.json does not match the"
                    + " fingerprint in state.json");
        }
        byte[] momentum = null;
        if (state.outerMomentum() != null) {
            String path = Storage.child(checkpoint, OUTER_MOMENTUM);
            momentum = storage.exists(path) ? storage.readAll(path) : new byte[0];
            if (!digest(momentum).equals(state.outerMomentum())) {
                throw new LmpipeException("checkpoint " + checkpoint + " is corrupt: " + OUTER_MOMENTUM + " ("
                        + momentum.length + " bytes) does not match the size and checksum in state.json");
            }
        }
        return new Contents(state, vocabulary, model, momentum);
    }

    /** Reads state.json; settings added to TrainConfig since it was written take their defaults. */
    static TrainingState readState(byte[] bytes) throws IOException {
        var tree = (com.fasterxml.jackson.databind.node.ObjectNode) Json.MAPPER.readTree(bytes);
        tree.set("config", Json.withDefaults(tree.get("config"), TrainConfig.DEFAULTS));
        // Written before checkpoints could fall in the middle of an epoch.
        tree.putIfAbsent("epochRound", tree.numberNode(0));
        tree.putIfAbsent("epochLossSum", tree.numberNode(0.0));
        return Json.MAPPER.treeToValue(tree, TrainingState.class);
    }

    private static TrainingState.FileDigest digest(byte[] bytes) {
        return new TrainingState.FileDigest(bytes.length, Shards.crc32c(bytes));
    }

    private static byte[] floats(float[] values) {
        var buffer = java.nio.ByteBuffer.allocate(4 * values.length).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        buffer.asFloatBuffer().put(values);
        return buffer.array();
    }

    private static float[] floats(byte[] bytes) {
        var values = new float[bytes.length / 4];
        java.nio.ByteBuffer.wrap(bytes).order(java.nio.ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(values);
        return values;
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
