package dev.lmpipe.spark;

import dev.lmpipe.LmpipeException;
import dev.lmpipe.Provenance;
import dev.lmpipe.config.Json;
import dev.lmpipe.data.Manifest;
import dev.lmpipe.data.MinibatchSpec;
import dev.lmpipe.data.Minibatches;
import dev.lmpipe.data.ShardInfo;
import dev.lmpipe.data.Split;
import dev.lmpipe.data.VerifiedShards;
import dev.lmpipe.data.WindowPlan;
import dev.lmpipe.eval.EvaluateConfig;
import dev.lmpipe.eval.LossTotals;
import dev.lmpipe.model.LearningRateSchedule;
import dev.lmpipe.model.Networks;
import dev.lmpipe.model.kernel.Kernels;
import dev.lmpipe.report.RunHistory;
import dev.lmpipe.storage.Storage;
import dev.lmpipe.train.Checkpoint;
import dev.lmpipe.train.CheckpointStore;
import dev.lmpipe.train.EarlyStopping;
import dev.lmpipe.train.MetricsLine;
import dev.lmpipe.train.OuterOptimizer;
import dev.lmpipe.train.Progress;
import dev.lmpipe.train.RoundLine;
import dev.lmpipe.train.ScheduleConfig;
import dev.lmpipe.train.TimeBudget;
import dev.lmpipe.train.TrainConfig;
import dev.lmpipe.train.TrainingState;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;

import java.io.PrintStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * train: dataset → model (LSTM, transformer, MLP) trained by Spark parameter averaging → checkpoints and a
 * metrics line per evaluation.
 * The driver computes each round's minibatches from the epoch's plan (shard and offset of every window, in memory
 * that grows with the shards, not the windows), the executors read exactly those windows and fit them; the
 * validation loss is computed on the executors over a fixed sample of the validation split.
 */
public final class TrainJob {
    private final JavaSparkContext sc;
    private final Storage storage;
    private final TrainConfig config;
    private final PrintStream out;
    private Checkpoint start;
    // The run in progress, set by run().
    private String dataset;
    private String run;
    private Manifest manifest;
    private String manifestHash;
    private CheckpointStore store;
    private ParameterAveraging averaging;
    private int workers;
    /** The learning rate's schedule in characters, anchored at every round's start; null: a constant rate. */
    private LearningRateSchedule schedule;
    private Totals totals;
    private EarlyStopping stopping;
    private TimeBudget budget;
    /** Rounds done when this job started, and the duration of its last round: what the time budget weighs. */
    private long roundsAtStart;
    private double lastRoundSeconds;
    /** When this job's first round started and the run's characters then: its speed, where a decay ends with time. */
    private long firstRoundNanos;
    private long charactersAtFirstRound;
    /** This job's evaluation of the run's best checkpoint, which the report reuses; null if none yet. */
    private EvaluateJob.Evaluated bestEvaluation;
    /** Where {@code maxMinutes} counts from ({@link System#nanoTime()}); null: from the call of {@link #run}. */
    private Long budgetStartNanos;

    public TrainJob(JavaSparkContext sc, Storage storage, TrainConfig config, PrintStream out) {
        this.sc = sc;
        this.storage = storage;
        this.config = config;
        this.out = out;
    }

    /**
     * Counts {@code maxMinutes} from {@code nanos} ({@link System#nanoTime()}) instead of from {@link #run}: the train
     * command counts from its JVM's start, so that the whole process, Spark's start included, keeps the budget.
     */
    public TrainJob budgetFrom(long nanos) {
        this.budgetStartNanos = nanos;
        return this;
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

    /**
     * Trains until the epoch limit, early stopping or a budget (time, characters); returns the last training state.
     * Every evaluation (at each epoch's end, every {@code eval.everyCharacters} and when a budget stops training)
     * writes a metrics line and commits a checkpoint, which a resume continues from, in the middle of an epoch too.
     */
    public TrainingState run(boolean resume, boolean overwrite) {
        long began = budgetStartNanos != null ? budgetStartNanos : System.nanoTime();
        dataset = storage.qualify(config.dataset());
        run = storage.qualify(config.output());
        manifest = Manifest.read(storage, dataset);
        manifestHash = Manifest.hash(storage.readAll(Storage.child(dataset, Manifest.FILE)));
        if (manifest.shards(Split.validation).isEmpty()) {
            throw new LmpipeException("dataset " + config.dataset() + " has no validation split, which early stopping and"
                    + " checkpoint selection need; tokenize it with validationFraction > 0");
        }
        // Sizes here, contents where each shard is first read (VerifiedShards): no read of the whole dataset.
        VerifiedShards.checkSizes(storage, dataset, manifest.shards());

        store = new CheckpointStore(storage, run);
        Checkpoint resumed = prepareRun(store, run, manifest, resume, overwrite);
        try {
            return train(resumed, began);
        } catch (Throwable e) { // Spark's task failures are checked exceptions thrown unchecked: every failure counts
            // A new run that failed before its first checkpoint (a corrupt shard, a bad setting found on an executor)
            // holds nothing to resume from; its directory would only make the next attempt ask for --overwrite.
            try {
                if (resumed == null && store.checkpoints().isEmpty()) {
                    storage.delete(run);
                }
            } catch (RuntimeException cleanup) {
                e.addSuppressed(cleanup); // storage that failed the run may fail this too: the first error is the news
            }
            throw e;
        }
    }

    /** The training of {@link #run} once the run directory is ready. */
    private TrainingState train(Checkpoint resumed, long began) {
        TrainingState state = resumed == null ? null : resumed.state();
        averaging = averaging(resumed);
        totals = Totals.from(state);
        roundsAtStart = totals.rounds;
        stopping = EarlyStopping.resume(config.patience(), state);
        // A run's first evaluation is its best so far, so the report of a new run reuses an evaluation of this job; a
        // resumed run's report evaluates the earlier best unless this job improves on it.
        budget = new TimeBudget(config.maxMinutes(), began, config.report(), state != null);
        if (config.maxCharacters() > 0 && totals.characters >= config.maxCharacters()) {
            out.printf("train: %,d characters trained already, maxCharacters is %,d: raise it to train on%n",
                    totals.characters, config.maxCharacters());
            return state;
        }
        Broadcast<List<ShardInfo>> train = sc.broadcast(manifest.shards(Split.train));
        try {
            for (int epoch = state == null ? 1 : state.epoch() + 1; epoch <= config.epochs(); epoch++) {
                var resumedRounds = state != null && state.epoch() == epoch - 1 ? state : null;
                var result = trainEpoch(train, epoch, state, resumedRounds);
                state = result.state();
                if (result.stopped() != null) {
                    out.println("train: stopped " + (state.atEpochEnd() ? "after epoch " + state.epoch()
                            : "in epoch " + (state.epoch() + 1) + " after round " + state.epochRound()) + ": "
                            + result.stopped());
                    break;
                }
            }
        } finally {
            train.destroy();
        }
        if (config.sparkStatistics()) {
            averaging.exportStatistics(Storage.child(run, EvaluateJob.SPARK_STATISTICS));
            // The same statistics as numbers, for bench/cluster_scaleout.sh: where a round's time goes.
            storage.writeAtomically(Storage.child(run, "spark-stats.json"), Json.write(averaging.statisticsTotals()));
        }
        if (config.report() && state != null) {
            EvaluateJob.run(sc, storage, EvaluateConfig.DEFAULTS.forRun(run, dataset, config.eval().maxCharacters()),
                    true, out, bestEvaluation);
        }
        return state;
    }

    /** The network to train (resumed, warm-started or new) inside DL4J's parameter averaging. */
    private ParameterAveraging averaging(Checkpoint resumed) {
        if (resumed == null && start != null && !start.vocabulary().equals(manifest.vocabulary())) {
            throw new LmpipeException("cannot start from " + start.path() + ": it was trained with another vocabulary than "
                    + config.dataset() + "'s; tokenize with --vocab-from " + start.path());
        }
        config.model().spec().checkTrainable();
        MultiLayerNetwork network = resumed != null ? resumed.network()
                : start != null ? start.network().clone()
                : config.model().spec().build(manifest.vocabulary().size(), config.optimization());
        if (resumed != null || start != null) {
            // A checkpoint's network carries its own run's learning rate, clipping and weight decay; this run's win.
            Networks.applyOptimization(network, config.optimization());
        }
        if (resumed == null && start != null) {
            out.println("train: starting from " + start.path());
        }
        workers = config.workers(sc.isLocal(), sc.defaultParallelism());
        schedule = config.schedule().resolve(config.learningRate(), config.maxCharacters(),
                (long) workers * config.batchSize() * config.seqLen());
        int threads = config.threadsPerWorker(workers, sc.defaultParallelism());
        var averagingConfig = config.averaging().forWorkers(workers);
        Networks.useThreads(network, threads);
        out.printf("train: %s, %,d parameters, vocabulary %d, %d worker(s) × batch %d × %d minibatches per round"
                        + " (%s), %d thread(s) per worker, %s%n",
                config.model().spec(), network.numParams(), manifest.vocabulary().size(), workers, config.batchSize(),
                config.averagingFrequency(), averagingConfig.describe(), threads, Kernels.describe());
        out.printf("train: Adam, %s, %s%n", ScheduleConfig.describe(schedule, config.learningRate(),
                        decayFollowsTimeBudget()),
                config.optimization().describeRegularization());
        return new ParameterAveraging(sc, network, workers, config.batchSize(), config.averagingFrequency(),
                config.prefetch(), config.sparkStatistics())
                .outer(new OuterOptimizer(averagingConfig, resumed == null ? null : resumed.outerMomentum()));
    }

    /** Whether the decay ends where {@code maxMinutes} is expected to end training, if before its fixed end. */
    private boolean decayFollowsTimeBudget() {
        return config.schedule().endsWithTraining() && config.maxMinutes() > 0;
    }

    /** How an epoch ended: the state of its last checkpoint and why training stops, or null if it goes on. */
    private record EpochResult(TrainingState state, String stopped) {
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

    private TrainingState state(int epochsDone, double validationLoss, String stopped, int epochRound,
                                double epochLossSum) {
        return new TrainingState(epochsDone, totals.step, totals.rounds, totals.characters, config.seed(),
                validationLoss, stopping.best(), stopping.bestEpoch(), stopping.epochsWithoutImprovement(), stopped,
                null, manifest.vocabulary().fingerprint(), manifestHash, config, Provenance.versions(), epochRound,
                epochLossSum, null);
    }

    /** Commits a checkpoint, then prunes old ones as {@code checkpoint.keep} says. */
    private void commit(TrainingState state, boolean best) {
        long began = System.nanoTime();
        store.commit(averaging.network(), averaging.outerMomentum(), manifest.vocabulary(), state, best);
        for (String deleted : store.prune(config.checkpoint().keep())) {
            out.println("train: deleted old checkpoint " + deleted + " (checkpoint.keep = " + config.checkpoint().keep() + ")");
        }
        budget.committed((System.nanoTime() - began) / 1e9);
    }

    /**
     * Fits one epoch's planned minibatches, one averaging round at a time, printing a line per round; evaluates and
     * commits at the epoch's end, every {@code eval.everyCharacters} and when a budget stops it, and commits without
     * evaluating every {@code checkpoint.everyRounds} rounds. {@code resumed}, when the run resumes in the middle of
     * this epoch, says how many rounds are already done.
     */
    private EpochResult trainEpoch(Broadcast<List<ShardInfo>> train, int epoch, TrainingState previous,
                                   TrainingState resumed) {
        var plan = WindowPlan.epoch(train.value(), config.seqLen(), config.batchSize(), config.seed(), epoch - 1);
        if (plan.minibatches() == 0) {
            throw new LmpipeException("the training split of " + dataset + " has fewer than batchSize × (seqLen + 1) = "
                    + config.batchSize() * (config.seqLen() + 1) + " characters; lower batchSize or seqLen, or add text");
        }
        int perRound = workers * config.averagingFrequency();
        int rounds = Math.toIntExact(plan.rounds(perRound));
        int done = resumed == null ? 0 : resumed.epochRound();
        double lossSum = resumed == null ? 0 : resumed.epochLossSum();
        double validationLoss = previous == null ? Double.NaN : previous.validationLoss();
        var progress = new Progress(out, epoch, config.epochs(), rounds, done);
        // Spark closures capture locals only: this job object is not serializable.
        Storage storage = this.storage;
        String dataset = this.dataset;
        int seqLen = config.seqLen();
        long sample = sampleCharacters();
        // Round lines not yet in rounds.jsonl: written with the next checkpoint.
        var unsaved = new ArrayList<RoundLine>();
        // The evaluated checkpoint of this very point, if nothing has been trained since it: at an epoch's start the
        // previous epoch's, after an evaluation within the epoch that one's.
        TrainingState evaluatedHere = previous;
        while (done < rounds) {
            // Every job trains at least one round, so that a chain of resumed jobs always moves on.
            if (totals.rounds > roundsAtStart && !budget.allowsRound(System.nanoTime(), lastRoundSeconds)) {
                String reason = "time limit of " + config.maxMinutes() + " minutes";
                // Stopping right after an evaluation adds nothing to it: evaluating again would overrun the budget.
                return evaluatedHere != null ? new EpochResult(evaluatedHere, reason)
                        : evaluate(epoch, done, rounds, lossSum, progress, unsaved, reason);
            }
            long roundStarted = System.nanoTime();
            if (totals.rounds == roundsAtStart) {
                firstRoundNanos = roundStarted;
                charactersAtFirstRound = totals.characters;
            }
            List<MinibatchSpec> round = plan.round(done, perRound);
            double learningRate = config.learningRate();
            if (schedule != null) {
                var rates = decayFollowsTimeBudget() ? schedule.endingBy(budget.charactersAtEnd(roundStarted,
                        totals.characters, totals.characters - charactersAtFirstRound, firstRoundNanos)) : schedule;
                var network = averaging.network();
                Networks.setLearningRate(network, rates.anchoredAt(totals.characters, network.getIterationCount()));
                learningRate = rates.at(totals.characters);
            }
            double score = averaging.fit(sc.parallelize(round, Math.min(workers, round.size()))
                    .mapPartitions(specs -> Minibatches.readAll(storage, dataset, train.value(), specs, seqLen)
                            .iterator()), round.size());
            // DL4J's score sums the loss over the (last truncated-BPTT segment's) time steps.
            double loss = score / Math.min(config.seqLen(), config.tbptt());
            long characters = (long) round.size() * config.batchSize() * config.seqLen();
            long before = totals.characters;
            totals.step += round.size();
            totals.rounds++;
            totals.characters += characters;
            lossSum += loss;
            done++;
            evaluatedHere = null;
            lastRoundSeconds = (System.nanoTime() - roundStarted) / 1e9;
            progress.round(loss, characters);
            // The round's own speed: from its start to its end, without the evaluations and checkpoints between rounds.
            double speed = characters / Math.max(1e-9, lastRoundSeconds);
            if (budget.limited() && !budget.evaluationTimed()) {
                timeEvaluation(sample);
            }
            unsaved.add(new RoundLine(epoch, totals.rounds, totals.characters, loss, budget.elapsedSeconds(System.nanoTime()),
                    speed, learningRate));
            if (config.maxCharacters() > 0 && totals.characters >= config.maxCharacters()) {
                return evaluate(epoch, done, rounds, lossSum, progress, unsaved,
                        String.format("character limit of %,d", config.maxCharacters()));
            }
            long every = config.eval().everyCharacters();
            if (done == rounds || every > 0 && totals.characters / every > before / every) {
                var result = evaluate(epoch, done, rounds, lossSum, progress, unsaved, null);
                if (result.stopped() != null || done == rounds) {
                    return result;
                }
                validationLoss = result.state().validationLoss();
                evaluatedHere = result.state();
            } else if (config.checkpoint().everyRounds() > 0 && done % config.checkpoint().everyRounds() == 0) {
                storage.append(Storage.child(run, RunHistory.ROUNDS), Json.lines(unsaved));
                unsaved.clear();
                commit(state(epoch - 1, validationLoss, null, done, lossSum), false);
            }
        }
        // A resume at the very end of an epoch: nothing left to fit, the epoch's evaluation was its checkpoint's.
        return new EpochResult(resumed, null);
    }

    /**
     * Times an evaluation of a tenth of the validation sample (slices evenly spaced, as the sample's) and scales it to
     * the whole sample: what the time budget keeps for the final evaluation and the report's until a whole evaluation
     * has been timed. Scaling the part's fixed costs too errs on the safe side.
     */
    private void timeEvaluation(long sample) {
        long began = System.nanoTime();
        LossTotals part = LossJob.loss(sc, storage, dataset, manifest.shards(Split.validation), averaging.network(),
                manifest.vocabulary().size(), config.seqLen(), config.evalBatchSize(), Math.max(1, sample / 10));
        double seconds = (System.nanoTime() - began) / 1e9;
        budget.evaluated(seconds * sample / Math.max(1, part.characters()));
        out.printf("train: %,d validation characters evaluated in %.1f s; %.0f s kept for the final evaluation,"
                + " checkpoint and report within maxMinutes%n", part.characters(), seconds, budget.reserveSeconds());
    }

    /** Characters of the validation sample each evaluation reads. */
    private long sampleCharacters() {
        long all = manifest.characters(Split.validation);
        long max = config.eval().maxCharacters();
        return max > 0 ? Math.min(max, all) : all;
    }

    /**
     * Evaluates the validation sample after round {@code done} of {@code rounds} of epoch {@code epoch}, writes the
     * metrics and round lines and commits a checkpoint (the epoch's, or one in its middle); {@code budgetStop} is why
     * training stops if a budget stops it, else null.
     */
    private EpochResult evaluate(int epoch, int done, int rounds, double lossSum, Progress progress,
                                 List<RoundLine> unsaved, String budgetStop) {
        long began = System.nanoTime();
        LossTotals validation = LossJob.loss(sc, storage, dataset, manifest.shards(Split.validation),
                averaging.network(), manifest.vocabulary().size(), config.seqLen(), config.evalBatchSize(),
                config.eval().maxCharacters());
        budget.evaluated((System.nanoTime() - began) / 1e9);
        double loss = validation.natsPerCharacter();
        // Per token for BPE: bits are reported per character so that runs with different tokenizers compare.
        double bits = loss / manifest.charactersPerToken(Split.validation) / Math.log(2);
        stopping = stopping.after(epoch, loss);
        boolean epochDone = done == rounds;
        String stopped = stopping.shouldStop() ? "no improvement for " + config.patience() + " evaluation(s)"
                : budgetStop != null ? budgetStop
                : epochDone && epoch == config.epochs() ? "epoch limit" : null;
        TrainingState state = epochDone ? state(epoch, loss, stopped, 0, 0)
                : state(epoch - 1, loss, stopped, done, lossSum);
        String checkpoint = Storage.child(store.directory(), CheckpointStore.name(state));
        var line = new MetricsLine(epoch, totals.step, totals.rounds, totals.characters, lossSum / done, loss,
                bits, validation.perplexity(), progress.seconds(), progress.charactersPerSecond(),
                stopping.lastImproved(), checkpoint, Instant.now().toString());
        // History first, checkpoint second: a resume drops the lines past its checkpoint (RunHistory.truncate),
        // so a crash between the two neither loses nor doubles a line.
        storage.append(Storage.child(run, RunHistory.ROUNDS), Json.lines(unsaved));
        unsaved.clear();
        storage.append(Storage.child(run, RunHistory.EPOCHS), Json.lines(List.of(line)));
        commit(state, stopping.lastImproved());
        if (stopping.lastImproved()) {
            bestEvaluation = new EvaluateJob.Evaluated(checkpoint, validation);
            budget.reportReusesEvaluation();
        }
        String unit = manifest.vocabulary().tokenizer() == dev.lmpipe.text.TokenizerKind.character ? "char" : "token";
        out.printf("%s: validation %.4f nats/%s (%.4f bits/char, perplexity %.2f) over %,d %ss%s; %,.0f %ss/s%n",
                epochDone ? "epoch " + epoch : "epoch " + epoch + " round " + done, loss, unit, bits,
                validation.perplexity(), validation.characters(), unit,
                stopping.lastImproved() ? ", best so far" : "", progress.charactersPerSecond(), unit);
        return new EpochResult(state, stopped);
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
