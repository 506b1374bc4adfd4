package dev.lmpipe.train;

import dev.lmpipe.config.Checks;
import dev.lmpipe.config.InvalidSetting;
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
 * @param maxMinutes         wall time of the whole job (of {@code lmpipe train}: from its JVM's start), final
 *                           evaluation, checkpoint and report included (0: no limit): training stops early enough
 *                           for them, by estimates of their time
 * @param maxCharacters      stop after the round that reaches this many trained characters, counted over the run and
 *                           its resumes (0: no limit); a resume with a larger bound goes on from there
 * @param learningRate       Adam's step size
 * @param gradientClip       L2 limit on the gradient of the per-character mean loss
 * @param gradientClipScope  {@code layer}: each layer's gradient on its own (DL4J's); {@code global}: the whole
 *                           network's (PyTorch's {@code clip_grad_norm_})
 * @param weightDecay        AdamW's decoupled weight decay of weight matrices and embeddings (not biases or gains); 0: none
 * @param tbptt              truncated back-propagation length (at least seqLen: full back-propagation)
 * @param patience           stop after this many evaluations without a better validation loss (one ends each
 *                           epoch, more with {@code eval.everyCharacters})
 * @param evalBatchSize      windows per minibatch when computing the validation loss
 * @param seed               seed of initialisation and of the window order
 * @param report             write run/report (evaluation of the best checkpoint, charts, samples) at the end
 * @param sparkStatistics    collect DL4J's Spark training statistics and write run/spark-stats.html
 * @param checkpoint         checkpoints within epochs and how many to keep
 * @param eval               the validation sample's size and evaluations within epochs
 * @param averaging          what the driver makes of the workers' average after each round (the outer optimizer)
 * @param schedule           the learning rate's warmup and decay over the run
 */
public record TrainConfig(String dataset, String output, ModelConfig model, int seqLen, int batchSize,
                          int averagingFrequency, int workers, int threadsPerWorker, int prefetch, int epochs,
                          double maxMinutes, long maxCharacters, double learningRate, double gradientClip,
                          Optimization.ClipScope gradientClipScope, double weightDecay, int tbptt, int patience,
                          int evalBatchSize, long seed, boolean report, boolean sparkStatistics,
                          CheckpointConfig checkpoint, EvalConfig eval, AveragingConfig averaging, ScheduleConfig schedule) {
    // The default of every setting, one per line; the nested records hold their own. NamedDefaultsTest holds
    // DEFAULTS to these names, and conf/train-*.conf state every setting for their model.
    private static final String DATASET = "";                 // required
    private static final String OUTPUT = "";                  // required
    private static final int SEQ_LEN = 64;                    // characters per training window
    private static final int BATCH_SIZE = 32;                 // windows per minibatch on each worker
    private static final int AVERAGING_FREQUENCY = 5;         // minibatches per worker between two averagings
    private static final int WORKERS = 0;                     // one in local mode, one per task slot on a cluster
    private static final int THREADS_PER_WORKER = 0;          // Spark's cores ÷ workers
    private static final int PREFETCH = 2;                    // minibatches each worker reads ahead
    private static final int EPOCHS = 10;                     // at most
    private static final double MAX_MINUTES = 0;              // no time limit
    private static final long MAX_CHARACTERS = 0;             // no limit on trained characters
    private static final double LEARNING_RATE = 0.002;        // Adam's step size
    private static final double GRADIENT_CLIP = 1.0;          // on the per-character gradient
    private static final Optimization.ClipScope GRADIENT_CLIP_SCOPE = Optimization.ClipScope.layer;
    private static final double WEIGHT_DECAY = 0;             // none
    private static final int TBPTT = 64;                      // = seqLen: full back-propagation
    private static final int PATIENCE = 3;                    // evaluations without a better validation loss
    private static final int EVAL_BATCH_SIZE = 128;           // windows per minibatch of the validation loss
    private static final long SEED = 42;                      // initialisation and window order
    private static final boolean REPORT = true;               // run/report at the end
    private static final boolean SPARK_STATISTICS = false;    // no run/spark-stats.html

    public static final TrainConfig DEFAULTS = new TrainConfig(DATASET, OUTPUT, ModelConfig.DEFAULTS, SEQ_LEN,
            BATCH_SIZE, AVERAGING_FREQUENCY, WORKERS, THREADS_PER_WORKER, PREFETCH, EPOCHS, MAX_MINUTES,
            MAX_CHARACTERS, LEARNING_RATE, GRADIENT_CLIP, GRADIENT_CLIP_SCOPE, WEIGHT_DECAY, TBPTT, PATIENCE,
            EVAL_BATCH_SIZE, SEED, REPORT, SPARK_STATISTICS, CheckpointConfig.DEFAULTS, EvalConfig.DEFAULTS,
            AveragingConfig.DEFAULTS, ScheduleConfig.DEFAULTS);

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
        // Absent from the state.json of checkpoints written before these settings existed.
        if (gradientClipScope == null) {
            gradientClipScope = GRADIENT_CLIP_SCOPE;
        }
        if (schedule == null) {
            schedule = ScheduleConfig.DEFAULTS;
        }
        new Optimization(learningRate, gradientClip, gradientClipScope, weightDecay, seqLen, tbptt, seed);
        model.spec().checkSeqLen(seqLen);
        if (schedule.endsWithTraining() && maxCharacters == 0 && maxMinutes == 0) {
            throw new InvalidSetting("schedule.length", "must be set, or maxCharacters or maxMinutes, for a "
                    + schedule.kind() + " schedule: it is where the decay ends (0 means where training ends, and"
                    + " maxCharacters and maxMinutes are 0: no limit)",
                    java.util.List.of("maxCharacters", "maxMinutes", "schedule.kind"));
        }
        if (checkpoint == null) {
            checkpoint = CheckpointConfig.DEFAULTS;
        }
        if (eval == null) {
            eval = EvalConfig.DEFAULTS;
        }
        if (averaging == null) {
            averaging = AveragingConfig.DEFAULTS;
        }
    }

    public Optimization optimization() {
        return new Optimization(learningRate, gradientClip, gradientClipScope, weightDecay, seqLen, tbptt, seed);
    }

    /**
     * Workers: the setting, or when it is 0 one in Spark's local mode for a model that slices its minibatches across
     * threads (workers would share one JVM's cores, and one worker's threads train better per character than
     * averaged workers: bench/archive/RESULTS-2026-11.md) and {@code parallelism} (one per task slot) otherwise.
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
