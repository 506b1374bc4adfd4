package dev.lmpipe.data;

import java.util.List;
import java.util.Map;

/**
 * What a tokenize run read and what it left out, in the manifest and on the console.
 *
 * @param filesRead        files tokenized
 * @param emptyFiles       of those, files without text: no bytes, or none left after cleaning (0 in manifests
 *                         written before it was counted)
 * @param filesSkipped     files left out: binary, invalid UTF-8 under {@code invalidUtf8 = skip}, and entries that
 *                         could not be read under {@code corrupt = skip} (corrupt or truncated compressed files, read
 *                         errors, dangling symbolic links, folders that cannot be listed or hold nothing to read)
 * @param skipped          the first {@value #NAMED} files left out, with the reason
 * @param bytesRead        input bytes of the files tokenized (uncompressed)
 * @param replacedBytes    invalid UTF-8 bytes replaced by U+FFFD
 * @param characters       characters of clean text per split
 * @param tokens           tokens per split
 * @param unknownTokens    characters mapped to {@code <unk>} per split
 */
public record TokenizeSummary(long filesRead, long emptyFiles, long filesSkipped, List<Skipped> skipped, long bytesRead,
                              long replacedBytes, Map<Split, Long> characters, Map<Split, Long> tokens,
                              Map<Split, Long> unknownTokens) {
    public static final int NAMED = 100;

    /** A file left out and why. */
    public record Skipped(String path, String reason) {
    }

    /** The share of a split's characters mapped to {@code <unk>}. */
    public double outOfVocabularyRate(Split split) {
        long n = characters.getOrDefault(split, 0L);
        return n == 0 ? 0 : (double) unknownTokens.getOrDefault(split, 0L) / n;
    }

    /** The console lines: counts, then each file left out. */
    public List<String> lines() {
        var lines = new java.util.ArrayList<String>();
        lines.add(String.format("tokenize: read %,d file(s) (%,d empty), %,d bytes; skipped %,d file(s); %,d invalid byte(s)"
                + " replaced", filesRead, emptyFiles, bytesRead, filesSkipped, replacedBytes));
        for (Split split : Split.values()) {
            lines.add(String.format("tokenize: %-10s %,14d characters %,14d tokens %,10d <unk> (out of vocabulary %.4f%%)",
                    split, characters.getOrDefault(split, 0L), tokens.getOrDefault(split, 0L),
                    unknownTokens.getOrDefault(split, 0L), 100 * outOfVocabularyRate(split)));
        }
        for (Skipped s : skipped) {
            lines.add("tokenize: skipped " + s.path() + ": " + s.reason());
        }
        if (filesSkipped > skipped.size()) {
            lines.add("tokenize: ... and " + (filesSkipped - skipped.size()) + " more skipped file(s) not named");
        }
        return lines;
    }
}
