package dev.lmpipe.spark;

import dev.lmpipe.LmpipeException;
import dev.lmpipe.Provenance;
import dev.lmpipe.config.Json;
import dev.lmpipe.data.Manifest;
import dev.lmpipe.data.MinibatchSpec;
import dev.lmpipe.data.Minibatches;
import dev.lmpipe.data.ShardInfo;
import dev.lmpipe.data.Split;
import dev.lmpipe.data.WindowPlan;
import dev.lmpipe.eval.LossTotals;
import dev.lmpipe.storage.Storage;
import dev.lmpipe.train.Checkpoint;
import dev.lmpipe.train.CheckpointStore;
import dev.lmpipe.train.EarlyStopping;
import dev.lmpipe.train.MetricsLine;
import dev.lmpipe.train.Progress;
import dev.lmpipe.train.TrainConfig;
import dev.lmpipe.train.TrainingState;
import org.apache.spark.api.java.JavaSparkContext;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;

/**
 * train: dataset → LSTM trained by Spark parameter averaging → a checkpoint and a metrics line per epoch.
 * The driver plans each epoch's minibatches (shard and offset of every window), the executors read exactly
 * those windows and fit them; validation loss is computed exactly on the executors after every epoch.
 */
public final class TrainJob {
    private final JavaSparkContext sc;
    private final Storage storage;
    private final TrainConfig config;
    private final PrintStream out;

    public TrainJob(JavaSparkContext sc, Storage storage, TrainConfig config, PrintStream out) {
        this.sc = sc;
        this.storage = storage;
        this.config = config;
        this.out = out;
    }

    /** Trains until the epoch limit, early stopping or the time limit; returns the last training state. */
    public TrainingState run(boolean resume, boolean overwrite) {
        String dataset = storage.qualify(config.dataset());
        String run = storage.qualify(config.output());
        var manifestBytes = storage.readAll(Storage.child(dataset, Manifest.FILE));
        Manifest manifest = Manifest.read(storage, dataset);
        List<ShardInfo> train = manifest.shards(Split.train);
        List<ShardInfo> validation = manifest.shards(Split.validation);
        LossJob.verify(sc, storage, dataset, manifest.shards());

        var store = new CheckpointStore(storage, run);
        TrainingState start = prepareRun(store, run, manifest, resume, overwrite);
        MultiLayerNetwork network = start == null
                ? config.model().spec().build(manifest.vocabulary().size(), config.optimization())
                : CheckpointStore.load(storage, store.pointer(CheckpointStore.LATEST).orElseThrow()).network();
        int workers = config.workers() > 0 ? config.workers() : sc.defaultParallelism();
        var averaging = new ParameterAveraging(sc, network, workers, config.batchSize(), config.averagingFrequency(),
                config.prefetch());
        out.printf("train: %s, %,d parameters, vocabulary %d, %d worker(s) × batch %d × %d minibatches per round%n",
                config.model().spec(), network.numParams(), manifest.vocabulary().size(), workers, config.batchSize(),
                config.averagingFrequency());

        var stopping = start == null ? EarlyStopping.start(config.patience())
                : new EarlyStopping(config.patience(), start.bestValidationLoss(), start.bestEpoch(), start.epochsWithoutImprovement());
        long step = start == null ? 0 : start.step();
        long rounds = start == null ? 0 : start.rounds();
        long characters = start == null ? 0 : start.trainedCharacters();
        TrainingState state = start;
        long began = System.nanoTime();
        // Spark closures capture locals only: this job object is not serializable.
        Storage storage = this.storage;
        int seqLen = config.seqLen();
        for (int epoch = (start == null ? 1 : start.epoch() + 1); epoch <= config.epochs(); epoch++) {
            List<MinibatchSpec> plan = WindowPlan.epoch(train, config.seqLen(), config.batchSize(), config.seed(), epoch - 1);
            if (plan.isEmpty()) {
                throw new LmpipeException("the training split of " + dataset + " has fewer than batchSize × (seqLen + 1) = "
                        + config.batchSize() * (config.seqLen() + 1) + " characters; lower batchSize or seqLen, or add text");
            }
            var epochRounds = WindowPlan.rounds(plan, workers * config.averagingFrequency());
            var progress = new Progress(out, epoch, config.epochs(), epochRounds.size());
            double lossSum = 0;
            boolean outOfTime = false;
            for (List<MinibatchSpec> round : epochRounds) {
                int partitions = Math.min(workers, round.size());
                double score = averaging.fit(sc.parallelize(round, partitions)
                        .map(spec -> Minibatches.read(storage, dataset, train, spec, seqLen)));
                double loss = score / Math.min(config.seqLen(), config.tbptt());
                long roundCharacters = (long) round.size() * config.batchSize() * config.seqLen();
                step += round.size();
                rounds++;
                characters += roundCharacters;
                lossSum += loss;
                progress.round(loss, roundCharacters);
                outOfTime = config.maxMinutes() > 0 && (System.nanoTime() - began) / 60e9 >= config.maxMinutes();
                if (outOfTime) {
                    break;
                }
            }
            double trainSeconds = progress.seconds();
            double charactersPerSecond = progress.charactersPerSecond();
            network = averaging.network();
            LossTotals validationLoss = LossJob.loss(sc, storage, dataset, validation, network,
                    manifest.vocabulary().size(), config.seqLen(), config.evalBatchSize());
            double loss = validationLoss.natsPerCharacter();
            stopping = stopping.after(epoch, loss);
            String stopped = stopping.shouldStop() ? "no improvement for " + config.patience() + " epoch(s)"
                    : outOfTime ? "time limit of " + config.maxMinutes() + " minutes"
                    : epoch == config.epochs() ? "epoch limit" : null;
            state = new TrainingState(epoch, step, rounds, characters, config.seed(), loss, stopping.best(),
                    stopping.bestEpoch(), stopping.epochsWithoutImprovement(), stopped, null,
                    manifest.vocabulary().fingerprint(), Manifest.hash(manifestBytes), config, Provenance.versions());
            String checkpoint = store.commit(network, manifest.vocabulary(), state, stopping.improved(epoch));
            var line = new MetricsLine(epoch, step, rounds, characters, lossSum / epochRounds.size(), loss,
                    validationLoss.bitsPerCharacter(), validationLoss.perplexity(), trainSeconds,
                    charactersPerSecond, stopping.improved(epoch), checkpoint, Instant.now().toString());
            storage.append(Storage.child(run, "metrics.jsonl"), (Json.line(line) + "\n").getBytes(StandardCharsets.UTF_8));
            out.printf("epoch %d: validation %.4f nats/char (%.4f bits, perplexity %.2f) over %,d characters%s; %,.0f chars/s%n",
                    epoch, loss, validationLoss.bitsPerCharacter(), validationLoss.perplexity(), validationLoss.characters(),
                    stopping.improved(epoch) ? ", best so far" : "", charactersPerSecond);
            if (stopped != null) {
                out.println("train: stopped after epoch " + epoch + ": " + stopped);
                break;
            }
        }
        return state;
    }

    /** Checks the run directory against --resume / --overwrite; returns the state to resume from, or null. */
    private TrainingState prepareRun(CheckpointStore store, String run, Manifest manifest, boolean resume, boolean overwrite) {
        var latest = store.pointer(CheckpointStore.LATEST);
        if (resume) {
            if (latest.isEmpty()) {
                throw new LmpipeException("--resume: no checkpoint in " + run + " to resume from");
            }
            Checkpoint checkpoint = CheckpointStore.load(storage, latest.get());
            if (!checkpoint.vocabulary().equals(manifest.vocabulary())) {
                throw new LmpipeException("--resume: checkpoint " + latest.get() + " was trained with another vocabulary than "
                        + config.dataset() + "'s; resume with the dataset it was trained on");
            }
            if (!checkpoint.state().config().model().equals(config.model())) {
                throw new LmpipeException("--resume: checkpoint " + latest.get() + " has model " + checkpoint.state().config().model()
                        + " but the configuration asks for " + config.model());
            }
            out.printf("train: resuming from %s (epoch %d, validation %.4f nats/char)%n", latest.get(),
                    checkpoint.state().epoch(), checkpoint.state().validationLoss());
            return checkpoint.state();
        }
        if (storage.exists(run)) {
            if (!overwrite) {
                throw new LmpipeException("output path " + run + " already exists; pass --resume to continue its training, "
                        + "--overwrite to start over, or choose another output");
            }
            storage.delete(run);
        }
        storage.mkdirs(run);
        return null;
    }
}
