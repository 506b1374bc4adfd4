package dev.lmpipe.data;

import dev.lmpipe.LmpipeException;
import dev.lmpipe.config.Checks;
import dev.lmpipe.config.InvalidSetting;
import dev.lmpipe.text.Cleaning;
import dev.lmpipe.text.CorruptInput;
import dev.lmpipe.text.Documents;
import dev.lmpipe.text.FileSelection;
import dev.lmpipe.text.InvalidUtf8;
import dev.lmpipe.text.TokenizerKind;

import java.util.List;

/**
 * Settings of {@code lmpipe tokenize}.
 *
 * @param input              paths or globs of files or folders; a file named here (or matched by a glob here) is
 *                           read whatever its name, a folder contributes the files that {@code include} and
 *                           {@code exclude} select
 * @param include            glob patterns: a file found in a folder is read if its path relative to the folder
 *                           matches one ({@link FileSelection}: a pattern without {@code /} matches the name at any
 *                           depth); by default {@code *.txt, *.gz, *.bz2}, also for a configuration stored
 *                           without the setting
 * @param exclude            glob patterns, as for {@code include}: a file that matches one is left out even if
 *                           included; none by default
 * @param output             dataset directory to create
 * @param tokenizer          {@code char} (one token per code point) or {@code bpe} (byte-level byte pair encoding)
 * @param minCount           char: code points seen fewer times map to {@code <unk>}
 * @param maxVocabulary      at most this many token ids, {@code <unk>} included (bpe: the target size, at least 258)
 * @param vocabFrom          a dataset or checkpoint whose vocabulary to reuse instead of building one, or empty
 * @param documents          the unit of the split: files, blank-line-separated records, or byte blocks of a file
 * @param blockBytes         size of a block when {@code documents = blocks} (whole lines, by their first byte)
 * @param validationFraction expected share of documents for validation
 * @param testFraction       expected share of documents for test
 * @param seed               seed of the split
 * @param shardTokens        at most this many tokens per shard
 * @param splitBytes         bytes of input per reading task: large files are read in ranges of this size, small
 *                           ones packed together up to it
 * @param invalidUtf8        per file: replace invalid bytes by U+FFFD, skip the file, or fail naming file and offset
 * @param corrupt            per input that cannot be read to its end (a truncated or corrupt {@code .gz} or
 *                           {@code .bz2}, a read error, a file without read permission, a dangling symbolic link, a
 *                           folder that cannot be listed or that a glob matched without anything to read): skip it,
 *                           naming it and the reason in the summary, or fail naming it and where
 * @param maxControlShare    a file with a larger share of control characters is binary and skipped
 * @param cleaning           normalisation, case, line endings and control characters
 */
public record TokenizeConfig(List<String> input, List<String> include, List<String> exclude, String output,
                             TokenizerKind tokenizer, int minCount, int maxVocabulary, String vocabFrom,
                             Documents documents, long blockBytes, double validationFraction, double testFraction,
                             long seed, long shardTokens, long splitBytes, InvalidUtf8 invalidUtf8,
                             CorruptInput corrupt, double maxControlShare, Cleaning cleaning) {
    // The default of every setting, one per line (NamedDefaultsTest holds DEFAULTS to these names); declared before
    // DEFAULTS, which reads them.
    private static final List<String> INPUT = List.of();                     // required
    private static final List<String> INCLUDE = List.of("*.txt", "*.gz", "*.bz2");   // text, plain or compressed
    private static final List<String> EXCLUDE = List.of();
    private static final String OUTPUT = "";                                 // required
    private static final TokenizerKind TOKENIZER = TokenizerKind.character;
    private static final int MIN_COUNT = 1;                                  // every code point seen keeps its id
    private static final int MAX_VOCABULARY = 1024;
    private static final String VOCAB_FROM = "";                             // build the vocabulary
    private static final Documents DOCUMENTS = Documents.blocks;
    private static final long BLOCK_BYTES = 2048;
    private static final double VALIDATION_FRACTION = 0.05;
    private static final double TEST_FRACTION = 0.05;
    private static final long SEED = 1234;                                   // of the split
    private static final long SHARD_TOKENS = 8_000_000;                      // 32 MB shards of int32 ids
    private static final long SPLIT_BYTES = 64L << 20;                       // 64 MiB of input per reading task
    private static final InvalidUtf8 INVALID_UTF8 = InvalidUtf8.replace;
    // One bad archive among thousands should cost that archive, named in the summary, not the whole run.
    private static final CorruptInput CORRUPT = CorruptInput.skip;
    private static final double MAX_CONTROL_SHARE = 0.05;                    // more: a binary file, skipped

    public static final TokenizeConfig DEFAULTS = new TokenizeConfig(INPUT, INCLUDE, EXCLUDE, OUTPUT, TOKENIZER,
            MIN_COUNT, MAX_VOCABULARY, VOCAB_FROM, DOCUMENTS, BLOCK_BYTES, VALIDATION_FRACTION, TEST_FRACTION, SEED,
            SHARD_TOKENS, SPLIT_BYTES, INVALID_UTF8, CORRUPT, MAX_CONTROL_SHARE, Cleaning.DEFAULTS);
    /** Byte-level BPE needs {@code <unk>} and the 256 bytes, plus at least one merge. */
    public static final int MIN_BPE_VOCABULARY = 258;

    public TokenizeConfig {
        input = List.copyOf(input);
        // Null when JSON lacks the field: a configuration stored before the setting existed.
        include = include == null ? INCLUDE : List.copyOf(include);
        exclude = exclude == null ? List.of() : List.copyOf(exclude);
        corrupt = corrupt == null ? CORRUPT : corrupt;
        new FileSelection(include, exclude); // a bad pattern fails here, when the configuration is read
        vocabFrom = vocabFrom == null ? "" : vocabFrom;
        Checks.positive("minCount", minCount);
        if (tokenizer == TokenizerKind.bpe && maxVocabulary < MIN_BPE_VOCABULARY) {
            throw new InvalidSetting("maxVocabulary", "must be at least " + MIN_BPE_VOCABULARY + " for tokenizer = bpe, got "
                    + maxVocabulary, List.of("tokenizer"));
        }
        Checks.atLeast("maxVocabulary", maxVocabulary, 2);
        Checks.atMost("maxVocabulary", maxVocabulary, Shards.MAX_VOCABULARY);
        Checks.within("validationFraction", validationFraction, 0.0, 1.0);
        Checks.within("testFraction", testFraction, 0.0, 1.0);
        if (validationFraction + testFraction >= 1.0) {
            throw new InvalidSetting("testFraction", "must leave room for training: validationFraction + testFraction"
                    + " must be below 1, got " + validationFraction + " + " + testFraction, List.of("validationFraction"));
        }
        Checks.atLeast("blockBytes", blockBytes, 64);
        Checks.within("shardTokens", shardTokens, 1, Integer.MAX_VALUE / 2);
        Checks.atLeast("splitBytes", splitBytes, 1024);
        Checks.within("maxControlShare", maxControlShare, 0.0, 1.0);
        if (tokenizer == null || documents == null || invalidUtf8 == null || cleaning == null) {
            throw new LmpipeException("tokenizer, documents, invalidUtf8 and cleaning must be set");
        }
    }

    /** Checks the settings that have no useful default. */
    public TokenizeConfig requireComplete() {
        if (input.isEmpty()) {
            throw new LmpipeException("no input given: pass files or folders, or set input = path1, path2");
        }
        Checks.present("output", output);
        return this;
    }

    /** Bytes read at a time: at most a block, so that text without line ends spreads over blocks. */
    public int pieceBytes(int pieceBytes) {
        return documents == Documents.blocks ? (int) Math.min(pieceBytes, blockBytes) : pieceBytes;
    }

    /** The files that a folder given as input contributes. */
    public FileSelection selection() {
        return new FileSelection(include, exclude);
    }

    public DocumentSplits splits() {
        return new DocumentSplits(seed, validationFraction, testFraction);
    }
}
