package dev.lmpipe.spark;

import dev.lmpipe.LmpipeException;
import dev.lmpipe.config.Json;
import dev.lmpipe.data.BlockKey;
import dev.lmpipe.data.DatasetLayout;
import dev.lmpipe.data.Manifest;
import dev.lmpipe.data.ShardAssembler;
import dev.lmpipe.data.ShardInfo;
import dev.lmpipe.data.TokenizeConfig;
import dev.lmpipe.storage.Storage;
import dev.lmpipe.text.Corpus;
import dev.lmpipe.text.Vocabulary;
import org.apache.spark.Partitioner;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import scala.Tuple2;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * tokenize: corpus files → vocabulary → encoded blocks → shards + manifest.json, committed atomically.
 * Two passes over the sources on the executors: the first counts code points (only counts reach the driver),
 * the second encodes each block and shuffles it to its shard.
 */
public final class TokenizeJob {
    private TokenizeJob() {
    }

    /** Per-source result of the counting pass. */
    record SourceCount(int source, long codePoints, long replacedBytes, Map<Integer, Long> counts)
            implements java.io.Serializable {
    }

    public static Manifest run(JavaSparkContext sc, Storage storage, TokenizeConfig config, boolean overwrite, PrintStream out) {
        List<String> sources = Corpus.expand(storage, config.input());
        var staged = storage.stage(config.output(), overwrite);
        try (staged) {
            var policy = config.invalidUtf8();
            int slices = Math.max(1, Math.min(sources.size(), sc.defaultParallelism() * 4));
            var indices = sc.parallelize(IntStream.range(0, sources.size()).boxed().toList(), slices);

            List<SourceCount> counts = indices.map(i -> count(storage, sources, i, policy)).collect();
            long[] lengths = new long[sources.size()];
            var totals = new HashMap<Integer, Long>();
            long replaced = 0;
            for (SourceCount c : counts) {
                lengths[c.source()] = c.codePoints();
                replaced += c.replacedBytes();
                Corpus.merge(totals, c.counts());
            }
            if (totals.isEmpty()) {
                throw new LmpipeException("empty corpus: no characters in " + Corpus.describe(sources, 5));
            }
            var vocabulary = Vocabulary.build(totals, config.minCount(), config.maxVocabulary());
            var layout = DatasetLayout.plan(lengths, config.blockChars(), config.validationFraction(),
                    config.testFraction(), config.seed(), config.shardTokens());
            out.printf("tokenize: %,d characters in %d file(s), vocabulary of %d ids, %d shard(s)%n",
                    IntStream.range(0, lengths.length).mapToLong(i -> lengths[i]).sum(), sources.size(),
                    vocabulary.size(), layout.shardCount());

            Broadcast<DatasetLayout> sharedLayout = sc.broadcast(layout);
            Broadcast<Vocabulary> sharedVocabulary = sc.broadcast(vocabulary);
            String directory = staged.path();
            List<ShardAssembler.Written> written = indices
                    .flatMapToPair(i -> encode(storage, sources, i, policy, sharedLayout.value(), sharedVocabulary.value()))
                    .repartitionAndSortWithinPartitions(new ShardPartitioner(layout.shardCount()))
                    .mapPartitionsWithIndex((shard, blocks) -> List.of(ShardAssembler.write(storage, directory,
                            sharedLayout.value(), shard, new ValuesOf(blocks))).iterator(), true)
                    .collect();

            var shards = new ArrayList<ShardInfo>();
            long unknown = 0;
            for (var w : written) {
                shards.add(w.shard());
                unknown += w.unknownTokens();
            }
            shards.sort(Comparator.comparing(ShardInfo::split).thenComparing(ShardInfo::file));
            var manifest = new Manifest(Manifest.FORMAT, Manifest.TOKENIZER, vocabulary, totals, layout.splitTokens(),
                    unknown, replaced, sources, shards, config);
            storage.writeAll(staged.file(Manifest.FILE), Json.write(manifest));
            staged.commit();
            out.printf("tokenize: wrote %s (train %,d, validation %,d, test %,d tokens; %,d <unk>, %,d bytes replaced)%n",
                    staged.target(), manifest.splitTokens().get(dev.lmpipe.data.Split.train),
                    manifest.splitTokens().get(dev.lmpipe.data.Split.validation),
                    manifest.splitTokens().get(dev.lmpipe.data.Split.test), unknown, replaced);
            return manifest;
        }
    }

    private static SourceCount count(Storage storage, List<String> sources, int source, dev.lmpipe.text.InvalidUtf8 policy) {
        var decoded = Corpus.read(storage, sources.get(source), policy);
        return new SourceCount(source, decoded.codePoints().length, decoded.replacedBytes(), Corpus.count(decoded.codePoints()));
    }

    private static java.util.Iterator<Tuple2<BlockKey, int[]>> encode(Storage storage, List<String> sources, int source,
            dev.lmpipe.text.InvalidUtf8 policy, DatasetLayout layout, Vocabulary vocabulary) {
        int[] codePoints = Corpus.read(storage, sources.get(source), policy).codePoints();
        return ShardAssembler.encodeBlocks(source, codePoints, layout, vocabulary).entrySet().stream()
                .map(e -> new Tuple2<>(e.getKey(), e.getValue())).iterator();
    }

    /** Sends every block to the partition of its shard: one partition writes one shard. */
    static final class ShardPartitioner extends Partitioner {
        private final int shards;

        ShardPartitioner(int shards) {
            this.shards = shards;
        }

        @Override
        public int numPartitions() {
            return shards;
        }

        @Override
        public int getPartition(Object key) {
            return ((BlockKey) key).shard();
        }
    }

    /** The values of a sorted (key, block) iterator. */
    private record ValuesOf(java.util.Iterator<Tuple2<BlockKey, int[]>> pairs) implements java.util.Iterator<int[]> {
        @Override
        public boolean hasNext() {
            return pairs.hasNext();
        }

        @Override
        public int[] next() {
            return pairs.next()._2();
        }
    }
}
