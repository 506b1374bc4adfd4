package dev.lmpipe.spark;

import dev.lmpipe.LmpipeException;
import dev.lmpipe.config.Json;
import dev.lmpipe.data.CharShards;
import dev.lmpipe.data.Manifest;
import dev.lmpipe.data.Parts;
import dev.lmpipe.data.ReadOutcome;
import dev.lmpipe.data.ReadTask;
import dev.lmpipe.data.Segment;
import dev.lmpipe.data.ShardInfo;
import dev.lmpipe.data.ShardPlan;
import dev.lmpipe.data.ShardWriter;
import dev.lmpipe.data.Split;
import dev.lmpipe.data.TokenizeConfig;
import dev.lmpipe.data.TokenizeSummary;
import dev.lmpipe.storage.Storage;
import dev.lmpipe.text.Corpus;
import dev.lmpipe.text.ReadPlan;
import dev.lmpipe.text.Source;
import dev.lmpipe.text.TokenizerKind;
import dev.lmpipe.text.Vocabulary;
import dev.lmpipe.train.CheckpointStore;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import scala.Tuple2;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * tokenize: corpus files → shards per split → vocabulary → manifest.json, committed atomically. Executors read
 * the corpus once, in byte ranges; only counts and segment positions reach the driver. Characters: the reading
 * pass writes the shards themselves ({@link CharShards}), the driver builds the vocabulary (or reuses one) and
 * lists each shard with the map from its codes to the vocabulary's ids. BPE: the reading pass writes clean text
 * to part files, the vocabulary is learned from them, and executors encode the parts into shards of
 * {@code shardTokens}.
 */
public final class TokenizeJob {
    /** Bytes of a file read at a time: the memory a reading task needs, besides its counts. */
    static final int PIECE_BYTES = 1 << 20;

    private TokenizeJob() {
    }

    public static Manifest run(JavaSparkContext sc, Storage storage, TokenizeConfig config, boolean overwrite, PrintStream out) {
        Corpus.Listing listing = Corpus.list(storage, config.input(), config.selection());
        config.corrupt().judge(listing.unreadable());
        List<Source> sources = listing.sources();
        Vocabulary reused = config.vocabFrom().isEmpty() ? null : vocabularyOf(storage, config.vocabFrom());
        var staged = storage.stage(config.output(), overwrite);
        try (staged) {
            String dataset = staged.path();
            long started = System.nanoTime();
            TokenizerKind tokenizer = reused != null ? reused.tokenizer() : config.tokenizer();
            ReadOutcome read = read(sc, storage, listing, config, tokenizer, dataset);
            if (read.counts().isEmpty()) {
                var skipped = read.skipped().stream().limit(5).map(s -> s.path() + " (" + s.reason() + ")").toList();
                throw new LmpipeException("empty corpus: no text in " + Corpus.describe(
                        sources.stream().map(Source::path).toList(), 5)
                        + (skipped.isEmpty() ? "" : "; skipped " + String.join(", ", skipped)));
            }
            checkSplits(read, config);
            long readDone = System.nanoTime();
            Vocabulary vocabulary = reused != null ? reused : Vocabularies.build(sc, storage, dataset, read, config);
            long vocabularyDone = System.nanoTime();
            out.printf("tokenize: %,d characters in %,d file(s), vocabulary of %d ids (%s)%n",
                    read.characters().values().stream().mapToLong(Long::longValue).sum(), read.filesRead(),
                    vocabulary.size(), reused != null ? "from " + config.vocabFrom() : vocabulary.tokenizerVersion());

            List<ShardWriter.Written> written = writeShards(sc, storage, dataset, read, vocabulary, config.shardTokens());
            storage.delete(Storage.child(dataset, Parts.DIRECTORY));
            long shardsDone = System.nanoTime();
            var manifest = manifest(config, sources, read, vocabulary, written);
            storage.writeAll(staged.file(Manifest.FILE), Json.write(manifest));
            staged.commit();
            manifest.summary().lines().forEach(out::println);
            out.printf("tokenize: wrote %s (%d shard(s)); reading %.1f s, vocabulary %.1f s, shards %.1f s%n",
                    staged.target(), manifest.shards().size(), (readDone - started) / 1e9,
                    (vocabularyDone - readDone) / 1e9, (shardsDone - vocabularyDone) / 1e9);
            return manifest;
        }
    }

    /** The reading pass: one task per entry of the read plan. */
    private static ReadOutcome read(JavaSparkContext sc, Storage storage, Corpus.Listing listing, TokenizeConfig config,
                                    TokenizerKind tokenizer, String dataset) {
        List<Source> sources = listing.sources();
        List<List<ReadPlan.Range>> plan = ReadPlan.plan(sources, config.splitBytes(), config.documents());
        var settings = ReadTask.Settings.of(config, tokenizer, PIECE_BYTES);
        Broadcast<List<Source>> sharedSources = sc.broadcast(sources);
        var tasks = IntStream.range(0, plan.size()).mapToObj(i -> new Tuple2<>(i, plan.get(i))).toList();
        List<ReadTask.Result> results = sc.parallelize(tasks, Math.max(1, tasks.size()))
                .map(t -> ReadTask.run(storage, sharedSources.value(), t._2(), t._1(), dataset, settings))
                .collect();
        return ReadOutcome.combine(results, listing, settings);
    }

    /** A dataset without validation text cannot score a model: say which setting to change. */
    private static void checkSplits(ReadOutcome read, TokenizeConfig config) {
        Map<Split, Long> characters = read.characters();
        if (config.validationFraction() > 0 && characters.get(Split.validation) == 0) {
            throw new LmpipeException("no document fell into the validation split (documents = " + config.documents()
                    + ", " + read.filesRead() + " file(s)): with few"
                    + " documents, set documents = blocks and a smaller blockBytes, or raise validationFraction");
        }
        if (characters.get(Split.train) == 0) {
            throw new LmpipeException("no document fell into the train split; lower validationFraction and testFraction");
        }
    }

    private static List<ShardWriter.Written> writeShards(JavaSparkContext sc, Storage storage, String dataset,
                                                         ReadOutcome read, Vocabulary vocabulary, long shardTokens) {
        if (vocabulary.tokenizer() == TokenizerKind.character) {
            return withUnknownCounts(sc, storage, dataset, withoutDropped(sc, storage, dataset, read), vocabulary, read);
        }
        Broadcast<Vocabulary> sharedVocabulary = sc.broadcast(vocabulary);
        List<Segment> segments = Vocabularies.encode(sc, storage, dataset, read, sharedVocabulary);
        List<ShardPlan.Shard> shards = ShardPlan.plan(segments, shardTokens, Segment::length);
        return sc.parallelize(shards, Math.max(1, shards.size()))
                .map(shard -> ShardWriter.write(storage, dataset, shard))
                .collect();
    }

    /**
     * The manifest's entries of character shards with their {@code <unk>} counts: executors count them in the
     * shards that may hold some (none, when the vocabulary holds every character of the corpus).
     */
    private static List<ShardWriter.Written> withUnknownCounts(JavaSparkContext sc, Storage storage, String dataset,
                                                               List<CharShards.Written> shards, Vocabulary vocabulary,
                                                               ReadOutcome read) {
        var counted = new ArrayList<ShardInfo>();
        var written = new ArrayList<ShardWriter.Written>();
        for (CharShards.Written shard : shards) {
            ShardInfo info = shard.describe(vocabulary);
            if (shard.mayHoldUnknown(vocabulary, read.counts())) {
                counted.add(info);
            } else {
                written.add(new ShardWriter.Written(info, 0));
            }
        }
        if (!counted.isEmpty()) {
            written.addAll(sc.parallelize(counted, counted.size())
                    .map(info -> new ShardWriter.Written(info, CharShards.unknownTokens(storage, dataset, info))).collect());
        }
        return written;
    }

    /**
     * The character shards the reading pass wrote, those holding text of files left out (rare: binary files,
     * invalid UTF-8 under {@code skip}) copied by executors without it.
     */
    private static List<CharShards.Written> withoutDropped(JavaSparkContext sc, Storage storage, String dataset,
                                                           ReadOutcome read) {
        List<CharShards.Repair> repairs = CharShards.repairs(read);
        if (repairs.isEmpty()) {
            return read.shards();
        }
        List<CharShards.Written> rewritten = sc.parallelize(repairs, repairs.size())
                .map(repair -> CharShards.rewrite(storage, dataset, repair)).collect();
        return CharShards.replace(read.shards(), repairs, rewritten);
    }

    private static Manifest manifest(TokenizeConfig config, List<Source> sources, ReadOutcome read, Vocabulary vocabulary,
                                     List<ShardWriter.Written> written) {
        var shards = new ArrayList<ShardInfo>();
        var tokens = new EnumMap<Split, Long>(Split.class);
        var unknown = new EnumMap<Split, Long>(Split.class);
        for (Split split : Split.values()) {
            tokens.put(split, 0L);
            unknown.put(split, 0L);
        }
        for (var w : written) {
            shards.add(w.shard());
            tokens.merge(w.shard().split(), w.shard().tokens(), Long::sum);
            unknown.merge(w.shard().split(), w.unknownTokens(), Long::sum);
        }
        shards.sort(Comparator.comparing(ShardInfo::split).thenComparing(ShardInfo::file));
        var skipped = read.skipped();
        var summary = new TokenizeSummary(read.filesRead(), read.emptyFiles(), skipped.size(),
                skipped.subList(0, Math.min(TokenizeSummary.NAMED, skipped.size())), read.bytesRead(),
                read.replacedBytes(), read.characters(), tokens, unknown);
        var listed = sources.stream().limit(Manifest.SOURCES_LISTED).map(Source::path).toList();
        return new Manifest(Manifest.FORMAT, vocabulary.tokenizerVersion(), vocabulary, read.counts(), tokens,
                unknown.values().stream().mapToLong(Long::longValue).sum(), read.replacedBytes(), listed, shards, config,
                summary);
    }

    /** The vocabulary of a committed dataset, or of a checkpoint (or a run's latest checkpoint). */
    static Vocabulary vocabularyOf(Storage storage, String path) {
        String qualified = storage.qualify(path);
        if (storage.exists(Storage.child(qualified, Manifest.FILE))) {
            return Manifest.read(storage, qualified).vocabulary();
        }
        if (!storage.exists(qualified)) {
            throw new LmpipeException("vocabFrom: " + path + " not found; give a dataset or a checkpoint");
        }
        String checkpoint = CheckpointStore.resolve(storage, qualified, CheckpointStore.LATEST);
        return CheckpointStore.vocabulary(storage, checkpoint);
    }
}
