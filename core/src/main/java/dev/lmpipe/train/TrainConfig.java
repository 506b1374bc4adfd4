package dev.lmpipe.train;

import dev.lmpipe.config.Checks;
import dev.lmpipe.model.ModelConfig;
import dev.lmpipe.model.Optimization;

/**
 * Settings of {@code lmpipe train}.
 *
 * @param dataset            a committed tokenize output
 * @param output             run directory: checkpoints, metrics.jsonl, reports
 * @param model              architecture and sizes
 * @param seqLen             characters per training window
 * @param batchSize          windows per minibatch on each worker
 * @param averagingFrequency minibatches each worker fits between two parameter averagings
 * @param workers            parallel workers; 0 means one in Spark's local mode (all of the JVM's cores as its threads:
 *                           one Adam step per whole minibatch, nothing to average) and one per task slot on a cluster
 * @param threadsPerWorker   threads each worker's minibatch is sliced across (LSTM and transformer blocks); 0 means
 *                           Spark's default parallelism ÷ workers, at least 1
 * @param prefetch           minibatches each worker prefetches asynchronously
 * @param epochs             maximum epochs
 * @param maxMinutes         wall time of the whole job, final evaluation, checkpoint and report included (0: no
 *                           limit): training stops early enough for them, by estimates of their time
 * @param maxCharacters      stop after the round that reaches this many trained characters, counted over the run and
 *                           its resumes (0: no limit); a resume with a larger bound goes on from there
 * @param learningRate       Adam's step size
 * @param gradientClip       per-layer L2 limit on the gradient of the per-character mean loss
 * @param tbptt              truncated back-propagation length (at least seqLen: full back-propagation)
 * @param patience           stop after this many evaluations without a better validation loss (one ends each
 *                           epoch, more with {@code eval.everyCharacters})
 * @param evalBatchSize      windows per minibatch when computing the validation loss
 * @param seed               seed of initialisation and of the window order
 * @param report             write run/report (evaluation of the best checkpoint, charts, samples) at the end
 * @param sparkStatistics    collect DL4J's Spark training statistics and write run/spark-stats.html
 * @param checkpoint         checkpoints within epochs and how many to keep
 * @param eval               the validation sample's size and evaluations within epochs
 */
public record TrainConfig(String dataset, String output, ModelConfig model, int seqLen, int batchSize,
                          int averagingFrequency, int workers, int threadsPerWorker, int prefetch, int epochs,
                          double maxMinutes, long maxCharacters, double learningRate, double gradientClip, int tbptt, int patience,
                          int evalBatchSize, long seed, boolean report, boolean sparkStatistics,
                          CheckpointConfig checkpoint, EvalConfig eval) {
    public static final TrainConfig DEFAULTS = new TrainConfig("", "", ModelConfig.DEFAULTS, 64, 32, 5, 0, 0, 2, 10,
            0, 0, 0.002, 1.0, 64, 3, 128, 42, true, false, CheckpointConfig.DEFAULTS, EvalConfig.DEFAULTS);

    public TrainConfig {
        Checks.positive("seqLen", seqLen);
        Checks.positive("batchSize", batchSize);
        Checks.positive("averagingFrequency", averagingFrequency);
        Checks.atLeast("workers", workers, 0);
        Checks.atLeast("threadsPerWorker", threadsPerWorker, 0);
        Checks.atLeast("prefetch", prefetch, 0);
        Checks.positive("epochs", epochs);
        Checks.within("maxMinutes", maxMinutes, 0, Double.MAX_VALUE);
        Checks.atLeast("maxCharacters", maxCharacters, 0);
        Checks.positive("patience", patience);
        Checks.positive("evalBatchSize", evalBatchSize);
        optimization(learningRate, gradientClip, seqLen, tbptt, seed);
        model.spec().checkSeqLen(seqLen);
        // Absent from the state.json of checkpoints written before these settings existed.
        if (checkpoint == null) {
            checkpoint = CheckpointConfig.DEFAULTS;
        }
        if (eval == null) {
            eval = EvalConfig.DEFAULTS;
        }
    }

    public Optimization optimization() {
        return optimization(learningRate, gradientClip, seqLen, tbptt, seed);
    }

    private static Optimization optimization(double learningRate, double gradientClip, int seqLen, int tbptt, long seed) {
        return new Optimization(learningRate, gradientClip, seqLen, tbptt, seed);
    }

    /**
     * Workers: the setting, or when it is 0 one in Spark's local mode for a model that slices its minibatches across
     * threads (workers would share one JVM's cores, and one worker's threads train better per character than
     * averaged workers: bench/RESULTS.md) and {@code parallelism} (one per task slot) otherwise.
     */
    public int workers(boolean localMode, int parallelism) {
        return workers > 0 ? workers : localMode && model.spec().slicesMinibatches() ? 1 : parallelism;
    }

    /** Threads per worker: the setting, or when it is 0 the cores ({@code parallelism}) shared out over the workers. */
    public int threadsPerWorker(int workers, int parallelism) {
        return threadsPerWorker > 0 ? threadsPerWorker : Math.max(1, parallelism / Math.max(1, workers));
    }

    public TrainConfig requireComplete() {
        Checks.present("dataset", dataset);
        Checks.present("output", output);
        return this;
    }
}
