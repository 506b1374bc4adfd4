package dev.lmpipe.data;

import com.fasterxml.jackson.annotation.JsonIgnore;
import dev.lmpipe.LmpipeException;
import dev.lmpipe.config.Json;
import dev.lmpipe.storage.StagedDirectory;
import dev.lmpipe.storage.Storage;
import dev.lmpipe.text.Vocabulary;

import java.io.IOException;
import java.util.List;
import java.util.Map;

/**
 * {@code manifest.json}: what a tokenize run committed. Lists every shard with its size and checksum, the
 * vocabulary with the count of every code point, the split sizes, the sources, and the tokenizer version.
 * Readers trust only shards the manifest lists, and only in a directory with {@code _SUCCESS}.
 *
 * @param format           manifest format, {@value #FORMAT}
 * @param tokenizer        tokenizer name and version
 * @param vocabulary       the vocabulary the shards are encoded with
 * @param codePointCounts  occurrences of every code point in the corpus, vocabulary or not (key: code point)
 * @param splitTokens      number of tokens per split
 * @param unknownTokens    tokens mapped to {@code <unk>}, all splits together
 * @param replacedBytes    invalid UTF-8 bytes replaced by U+FFFD
 * @param sources          the input files in corpus order (the first {@value #SOURCES_LISTED}; the summary counts all)
 * @param shards           every shard
 * @param config           the resolved tokenize configuration, for provenance
 * @param summary          files read and skipped, characters, tokens and {@code <unk>} per split (absent in
 *                         manifests written before it existed)
 */
public record Manifest(
        int format,
        String tokenizer,
        Vocabulary vocabulary,
        Map<Integer, Long> codePointCounts,
        Map<Split, Long> splitTokens,
        long unknownTokens,
        long replacedBytes,
        List<String> sources,
        List<ShardInfo> shards,
        TokenizeConfig config,
        TokenizeSummary summary) {

    /** 2: shards of the character tokenizer map their codes to ids ({@link ShardInfo#codes}); 1 is read as well. */
    public static final int FORMAT = 2;
    public static final String FILE = "manifest.json";
    public static final int SOURCES_LISTED = 1000;
    /** Settings that earlier versions stored and this one no longer has; dropped when reading. */
    private static final List<String> RETIRED_SETTINGS = List.of("blockChars");

    /** Characters per token of a split: 1 for the char tokenizer, more for BPE; what turns loss per token into per character. */
    @JsonIgnore
    public double charactersPerToken(Split split) {
        long tokens = splitTokens.getOrDefault(split, 0L);
        return tokens == 0 ? 1.0 : (double) characters(split) / tokens;
    }

    /** Characters of a split, for bits per character: tokens for manifests from before the summary (char only). */
    @JsonIgnore
    public long characters(Split split) {
        return summary == null ? splitTokens.getOrDefault(split, 0L) : summary.characters().getOrDefault(split, 0L);
    }

    @JsonIgnore
    public List<ShardInfo> shards(Split split) {
        return shards.stream().filter(s -> s.split() == split).toList();
    }

    /** The manifest's identity for provenance: the CRC-32C of its bytes. */
    public static String hash(byte[] manifestBytes) {
        return Shards.crc32c(manifestBytes);
    }

    /** Reads the manifest of a committed dataset; refuses a directory without {@code _SUCCESS}. */
    public static Manifest read(Storage storage, String dataset) {
        if (!storage.exists(dataset)) {
            throw new LmpipeException("dataset not found: " + dataset + "; run lmpipe tokenize first");
        }
        if (!storage.exists(Storage.child(dataset, StagedDirectory.SUCCESS))) {
            throw new LmpipeException("dataset " + dataset + " is incomplete (no _SUCCESS): its tokenize run did not finish");
        }
        String path = Storage.child(dataset, FILE);
        try {
            var tree = (com.fasterxml.jackson.databind.node.ObjectNode) Json.MAPPER.readTree(storage.readAll(path));
            // Settings added to TokenizeConfig since the dataset was written take their defaults.
            var stored = (com.fasterxml.jackson.databind.node.ObjectNode) tree.get("config");
            stored.remove(RETIRED_SETTINGS);
            tree.set("config", Json.withDefaults(stored, TokenizeConfig.DEFAULTS));
            if (tree.get("summary") instanceof com.fasterxml.jackson.databind.node.ObjectNode summary
                    && !summary.has("emptyFiles")) {
                summary.put("emptyFiles", 0); // not counted when the dataset was written
            }
            Manifest manifest = Json.MAPPER.treeToValue(tree, Manifest.class);
            if (manifest.format() < 1 || manifest.format() > FORMAT) {
                throw new LmpipeException(path + " has format " + manifest.format() + "; this lmpipe reads formats 1 to " + FORMAT);
            }
            return manifest;
        } catch (IOException e) {
            throw new LmpipeException("cannot read " + path + ": " + e.getMessage(), e);
        }
    }
}
