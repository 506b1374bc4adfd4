package dev.lmpipe.eval;

import dev.lmpipe.LmpipeException;
import dev.lmpipe.config.Checks;
import dev.lmpipe.data.Split;

/**
 * Settings of {@code lmpipe evaluate}.
 *
 * @param checkpoint a checkpoint directory, or a run directory (its best checkpoint)
 * @param dataset    a committed dataset with the checkpoint's vocabulary
 * @param split      which split to evaluate
 * @param output     report directory; empty: {@code <run>/report}
 * @param seqLen     characters per evaluation window; 0: the training seqLen
 * @param batchSize  windows per forward pass
 * @param hardest    rows of the per-character table in report.md
 * @param samplePrompt prompt of the report's samples at temperatures 0.5, 1.0 and 1.5; empty: a newline
 * @param sampleLength characters per sample (0: no samples)
 * @param sampleSeed   seed of the samples
 * @param maxCharacters evaluate a fixed sample of about this many characters spread evenly over the split (0: all)
 */
public record EvaluateConfig(String checkpoint, String dataset, Split split, String output, int seqLen,
                             int batchSize, int hardest, String samplePrompt, int sampleLength, long sampleSeed,
                             long maxCharacters) {
    // The default of every setting, one per line (NamedDefaultsTest holds DEFAULTS to these names).
    private static final String CHECKPOINT = "";           // required
    private static final String DATASET = "";              // required
    private static final Split SPLIT = Split.validation;
    private static final String OUTPUT = "";               // <run>/report
    private static final int SEQ_LEN = 0;                  // the training seqLen
    private static final int BATCH_SIZE = 128;             // windows per forward pass
    private static final int HARDEST = 20;                 // rows of report.md's per-character table
    private static final String SAMPLE_PROMPT = "";        // a newline
    private static final int SAMPLE_LENGTH = 300;          // characters per report sample
    private static final long SAMPLE_SEED = 7;
    private static final long MAX_CHARACTERS = 0;          // the whole split

    public static final EvaluateConfig DEFAULTS = new EvaluateConfig(CHECKPOINT, DATASET, SPLIT, OUTPUT, SEQ_LEN,
            BATCH_SIZE, HARDEST, SAMPLE_PROMPT, SAMPLE_LENGTH, SAMPLE_SEED, MAX_CHARACTERS);

    public EvaluateConfig {
        if (split == null) {
            throw new LmpipeException("split must be one of [train, validation, test]");
        }
        Checks.atLeast("seqLen", seqLen, 0);
        Checks.positive("batchSize", batchSize);
        Checks.positive("hardest", hardest);
        Checks.atLeast("sampleLength", sampleLength, 0);
        Checks.atLeast("maxCharacters", maxCharacters, 0);
    }

    /**
     * These settings for the best checkpoint of a run, on its dataset's validation split (a sample of about
     * {@code maxCharacters}, 0: all of it), report in the run.
     */
    public EvaluateConfig forRun(String run, String dataset, long maxCharacters) {
        return new EvaluateConfig(run, dataset, Split.validation, "", seqLen, batchSize, hardest, samplePrompt,
                sampleLength, sampleSeed, maxCharacters);
    }

    public EvaluateConfig requireComplete() {
        Checks.present("checkpoint", checkpoint);
        Checks.present("dataset", dataset);
        return this;
    }
}
