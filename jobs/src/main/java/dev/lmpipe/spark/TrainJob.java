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
import dev.lmpipe.eval.EvaluateConfig;
import dev.lmpipe.eval.LossTotals;
import dev.lmpipe.model.Networks;
import dev.lmpipe.report.RunHistory;
import dev.lmpipe.storage.Storage;
import dev.lmpipe.train.Checkpoint;
import dev.lmpipe.train.CheckpointStore;
import dev.lmpipe.train.EarlyStopping;
import dev.lmpipe.train.MetricsLine;
import dev.lmpipe.train.Progress;
import dev.lmpipe.train.RoundLine;
import dev.lmpipe.train.TrainConfig;
import dev.lmpipe.train.TrainingState;
import org.apache.spark.api.java.JavaSparkContext;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;

import java.io.PrintStream;
import java.time.Instant;
import java.util.List;

/**
 * train: dataset → model (LSTM, transformer, MLP) trained by Spark parameter averaging → a checkpoint and a
 * metrics line per epoch.
 * The driver plans each epoch's minibatches (shard and offset of every window), the executors read exactly
 * those windows and fit them; validation loss is computed exactly on the executors after every epoch.
 */
public final class TrainJob {
    private final JavaSparkContext sc;
    private final Storage storage;
    private final TrainConfig config;
    private final PrintStream out;
    private Checkpoint start;

    public TrainJob(JavaSparkContext sc, Storage storage, TrainConfig config, PrintStream out) {
        this.sc = sc;
        this.storage = storage;
        this.config = config;
        this.out = out;
    }

    /**
     * Starts a new run from a trained checkpoint's parameters and updater state instead of a fresh
     * initialisation (retraining warm-starts the challenger from the champion). The model settings must match.
     */
    public TrainJob startFrom(Checkpoint checkpoint) {
        if (!checkpoint.state().config().model().equals(config.model())) {
            throw new LmpipeException("cannot start from " + checkpoint.path() + ": it has model " + checkpoint.state().config().model()
                    + " but the configuration asks for " + config.model());
        }
        this.start = checkpoint;
        return this;
    }

    /** Trains until the epoch limit, early stopping or the time limit; returns the last training state. */
    public TrainingState run(boolean resume, boolean overwrite) {
        String dataset = storage.qualify(config.dataset());
        String run = storage.qualify(config.output());
        Manifest manifest = Manifest.read(storage, dataset);
        String manifestHash = Manifest.hash(storage.readAll(Storage.child(dataset, Manifest.FILE)));
        if (manifest.shards(Split.validation).isEmpty()) {
            throw new LmpipeException("dataset " + config.dataset() + " has no validation split, which early stopping and"
                    + " checkpoint selection need; tokenize it with validationFraction > 0");
        }
        LossJob.verify(sc, storage, dataset, manifest.shards());

        var store = new CheckpointStore(storage, run);
        Checkpoint resumed = prepareRun(store, run, manifest, resume, overwrite);
        TrainingState state = resumed == null ? null : resumed.state();
        if (resumed == null && start != null && !start.vocabulary().equals(manifest.vocabulary())) {
            throw new LmpipeException("cannot start from " + start.path() + ": it was trained with another vocabulary than "
                    + config.dataset() + "'s; tokenize with --vocab-from " + start.path());
        }
        MultiLayerNetwork network = resumed != null ? resumed.network()
                : start != null ? start.network().clone()
                : config.model().spec().build(manifest.vocabulary().size(), config.optimization());
        if (resumed == null && start != null) {
            // The checkpoint's network carries its own run's Adam step size; this run's setting wins.
            network.setLearningRate(config.learningRate());
            out.println("train: starting from " + start.path());
        }
        int workers = config.workers(sc.isLocal(), sc.defaultParallelism());
        int threads = config.threadsPerWorker(workers, sc.defaultParallelism());
        Networks.useThreads(network, threads);
        var averaging = new ParameterAveraging(sc, network, workers, config.batchSize(), config.averagingFrequency(),
                config.prefetch(), config.sparkStatistics());
        out.printf("train: %s, %,d parameters, vocabulary %d, %d worker(s) × batch %d × %d minibatches per round,"
                        + " %d thread(s) per worker%n",
                config.model().spec(), network.numParams(), manifest.vocabulary().size(), workers, config.batchSize(),
                config.averagingFrequency(), threads);

        var totals = Totals.from(state);
        var stopping = EarlyStopping.resume(config.patience(), state);
        long began = System.nanoTime();
        for (int epoch = state == null ? 1 : state.epoch() + 1; epoch <= config.epochs(); epoch++) {
            var resumedRounds = state != null && state.epoch() == epoch - 1 ? state : null;
            var trained = trainEpoch(averaging, dataset, run, store, manifest, manifestHash, epoch, workers, began,
                    totals, stopping, state, resumedRounds);
            network = averaging.network();
            LossTotals validation = LossJob.loss(sc, storage, dataset, manifest.shards(Split.validation), network,
                    manifest.vocabulary().size(), config.seqLen(), config.evalBatchSize());
            double loss = validation.natsPerCharacter();
            // Per token for BPE: bits are reported per character so that runs with different tokenizers compare.
            double bits = loss / manifest.charactersPerToken(Split.validation) / Math.log(2);
            stopping = stopping.after(epoch, loss);
            String stopped = stopping.shouldStop() ? "no improvement for " + config.patience() + " epoch(s)"
                    : trained.outOfTime() ? "time limit of " + config.maxMinutes() + " minutes"
                    : epoch == config.epochs() ? "epoch limit" : null;
            state = state(epoch, totals, loss, stopping, stopped, manifest, manifestHash, 0, 0);
            String checkpoint = Storage.child(store.directory(), CheckpointStore.name(state));
            var line = new MetricsLine(epoch, totals.step, totals.rounds, totals.characters, trained.meanLoss(), loss,
                    bits, validation.perplexity(), trained.seconds(),
                    trained.charactersPerSecond(), stopping.improved(epoch), checkpoint, Instant.now().toString());
            // History first, checkpoint second: a resume drops the lines past its checkpoint (RunHistory.truncate),
            // so a crash between the two neither loses nor doubles a line.
            storage.append(Storage.child(run, RunHistory.ROUNDS), Json.lines(trained.rounds()));
            storage.append(Storage.child(run, RunHistory.EPOCHS), Json.lines(List.of(line)));
            commit(store, network, manifest, state, stopping.improved(epoch));
            String unit = manifest.vocabulary().tokenizer() == dev.lmpipe.text.TokenizerKind.character ? "char" : "token";
            out.printf("epoch %d: validation %.4f nats/%s (%.4f bits/char, perplexity %.2f) over %,d %ss%s; %,.0f %ss/s%n",
                    epoch, loss, unit, bits, validation.perplexity(), validation.characters(), unit,
                    stopping.improved(epoch) ? ", best so far" : "", trained.charactersPerSecond(), unit);
            if (stopped != null) {
                out.println("train: stopped after epoch " + epoch + ": " + stopped);
                break;
            }
        }
        if (config.sparkStatistics()) {
            averaging.exportStatistics(Storage.child(run, EvaluateJob.SPARK_STATISTICS));
            // The same statistics as numbers, for bench/cluster_scaleout.sh: where a round's time goes.
            storage.writeAtomically(Storage.child(run, "spark-stats.json"), Json.write(averaging.statisticsTotals()));
        }
        if (config.report() && state != null) {
            EvaluateJob.run(sc, storage, EvaluateConfig.DEFAULTS.forRun(run, dataset), true, out);
        }
        return state;
    }

    /**
     * What one epoch of rounds did: mean round loss (nats/char), training time and speed, whether time ran out,
     * and a line per round.
     */
    private record EpochResult(double meanLoss, double seconds, double charactersPerSecond, boolean outOfTime,
                               List<RoundLine> rounds) {
    }

    /** Counters that run across epochs and resumes. */
    private static final class Totals {
        long step;
        long rounds;
        long characters;

        static Totals from(TrainingState state) {
            var totals = new Totals();
            if (state != null) {
                totals.step = state.step();
                totals.rounds = state.rounds();
                totals.characters = state.trainedCharacters();
            }
            return totals;
        }
    }

    private TrainingState state(int epochsDone, Totals totals, double validationLoss, EarlyStopping stopping,
                                String stopped, Manifest manifest, String manifestHash, int epochRound,
                                double epochLossSum) {
        return new TrainingState(epochsDone, totals.step, totals.rounds, totals.characters, config.seed(),
                validationLoss, stopping.best(), stopping.bestEpoch(), stopping.epochsWithoutImprovement(), stopped,
                null, manifest.vocabulary().fingerprint(), manifestHash, config, Provenance.versions(), epochRound,
                epochLossSum);
    }

    /** Commits a checkpoint, then prunes old ones as {@code checkpoint.keep} says. */
    private void commit(CheckpointStore store, MultiLayerNetwork network, Manifest manifest, TrainingState state,
                        boolean best) {
        store.commit(network, manifest.vocabulary(), state, best);
        for (String deleted : store.prune(config.checkpoint().keep())) {
            out.println("train: deleted old checkpoint " + deleted + " (checkpoint.keep = " + config.checkpoint().keep() + ")");
        }
    }

    /**
     * Fits one epoch's planned minibatches, one averaging round at a time, printing a line per round and
     * committing a checkpoint every {@code checkpoint.everyRounds} rounds. {@code resumed}, when the run resumes
     * in the middle of this epoch, says how many rounds are already done.
     */
    private EpochResult trainEpoch(ParameterAveraging averaging, String dataset, String run, CheckpointStore store,
                                   Manifest manifest, String manifestHash, int epoch, int workers, long began,
                                   Totals totals, EarlyStopping stopping, TrainingState previous,
                                   TrainingState resumed) {
        List<ShardInfo> train = manifest.shards(Split.train);
        List<MinibatchSpec> plan = WindowPlan.epoch(train, config.seqLen(), config.batchSize(), config.seed(), epoch - 1);
        if (plan.isEmpty()) {
            throw new LmpipeException("the training split of " + dataset + " has fewer than batchSize × (seqLen + 1) = "
                    + config.batchSize() * (config.seqLen() + 1) + " characters; lower batchSize or seqLen, or add text");
        }
        var rounds = WindowPlan.rounds(plan, workers * config.averagingFrequency());
        int done = resumed == null ? 0 : resumed.epochRound();
        double lossSum = resumed == null ? 0 : resumed.epochLossSum();
        var progress = new Progress(out, epoch, config.epochs(), rounds.size(), done);
        // Spark closures capture locals only: this job object is not serializable.
        Storage storage = this.storage;
        int seqLen = config.seqLen();
        int every = config.checkpoint().everyRounds();
        // Round lines not yet in rounds.jsonl: written with the next checkpoint, mid-epoch or the epoch's own.
        var unsaved = new java.util.ArrayList<RoundLine>();
        for (List<MinibatchSpec> round : rounds.subList(done, rounds.size())) {
            double score = averaging.fit(sc.parallelize(round, Math.min(workers, round.size()))
                    .map(spec -> Minibatches.read(storage, dataset, train, spec, seqLen)), round.size());
            // DL4J's score sums the loss over the (last truncated-BPTT segment's) time steps.
            double loss = score / Math.min(config.seqLen(), config.tbptt());
            long characters = (long) round.size() * config.batchSize() * config.seqLen();
            totals.step += round.size();
            totals.rounds++;
            totals.characters += characters;
            lossSum += loss;
            done++;
            double speed = progress.round(loss, characters);
            double elapsed = (System.nanoTime() - began) / 1e9;
            unsaved.add(new RoundLine(epoch, totals.rounds, totals.characters, loss, elapsed, speed));
            if (config.maxMinutes() > 0 && elapsed / 60 >= config.maxMinutes()) {
                return new EpochResult(lossSum / done, progress.seconds(), progress.charactersPerSecond(), true, unsaved);
            }
            if (every > 0 && done % every == 0 && done < rounds.size()) {
                storage.append(Storage.child(run, RunHistory.ROUNDS), Json.lines(unsaved));
                unsaved.clear();
                var middle = state(epoch - 1, totals, previous == null ? Double.NaN : previous.validationLoss(),
                        stopping, null, manifest, manifestHash, done, lossSum);
                commit(store, averaging.network(), manifest, middle, false);
            }
        }
        return new EpochResult(lossSum / done, progress.seconds(), progress.charactersPerSecond(), false, unsaved);
    }

    /** Checks the run directory against --resume / --overwrite; returns the checkpoint to resume from, or null. */
    private Checkpoint prepareRun(CheckpointStore store, String run, Manifest manifest, boolean resume, boolean overwrite) {
        if (resume) {
            Checkpoint checkpoint = store.newestLoadable(warning -> out.println("train: warning: " + warning))
                    .orElseThrow(() -> new LmpipeException("--resume: no loadable checkpoint in " + run + " to resume from"));
            if (!checkpoint.vocabulary().equals(manifest.vocabulary())) {
                throw new LmpipeException("--resume: checkpoint " + checkpoint.path() + " was trained with another vocabulary than "
                        + config.dataset() + "'s; resume with the dataset it was trained on");
            }
            if (!checkpoint.state().config().model().equals(config.model())) {
                throw new LmpipeException("--resume: checkpoint " + checkpoint.path() + " has model " + checkpoint.state().config().model()
                        + " but the configuration asks for " + config.model());
            }
            var state = checkpoint.state();
            out.printf("train: resuming from %s (epoch %d%s, round %d, %s)%n", checkpoint.path(),
                    state.atEpochEnd() ? state.epoch() : state.epoch() + 1,
                    state.atEpochEnd() ? " done" : " in progress, " + state.epochRound() + " round(s) into it",
                    state.rounds(), Double.isNaN(state.validationLoss()) ? "no validation yet"
                            : String.format("validation %.4f nats/char", state.validationLoss()));
            RunHistory.truncate(storage, run, state.rounds());
            return checkpoint;
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
