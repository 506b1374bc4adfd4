package dev.lmpipe.spark;

import dev.lmpipe.data.Parts;
import dev.lmpipe.data.ReadOutcome;
import dev.lmpipe.data.Segment;
import dev.lmpipe.data.TokenizeConfig;
import dev.lmpipe.data.TokenEncoder;
import dev.lmpipe.storage.Storage;
import dev.lmpipe.text.BytePairEncoding;
import dev.lmpipe.text.TokenizerKind;
import dev.lmpipe.text.Vocabulary;
import dev.lmpipe.data.WordCounts;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import scala.Tuple2;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The vocabulary side of tokenize on Spark. Characters: built on the driver from the reading pass's counts.
 * BPE: words are counted on the executors from the clean text parts, the driver keeps the most frequent words
 * and learns the merges from their counts; then executors encode the parts into token parts.
 */
final class Vocabularies {
    /** Distinct words the driver learns BPE merges from: the most frequent, which carry almost all pairs. */
    static final int BPE_WORDS = 200_000;

    private Vocabularies() {
    }

    static Vocabulary build(JavaSparkContext sc, Storage storage, String dataset, ReadOutcome read, TokenizeConfig config) {
        if (config.tokenizer() == TokenizerKind.character) {
            return Vocabulary.build(read.counts(), config.minCount(), config.maxVocabulary());
        }
        List<Tuple2<BytePairEncoding.Word, Long>> top = sc.parallelize(byTask(read.segments()), Math.max(1, tasks(read.segments())))
                .flatMapToPair(task -> WordCounts.count(storage, dataset, task._2()).entrySet().stream()
                        .map(e -> new Tuple2<>(e.getKey(), e.getValue())).iterator())
                .reduceByKey(Long::sum)
                .takeOrdered(BPE_WORDS, new ByCountDescending());
        var counts = new java.util.HashMap<BytePairEncoding.Word, Long>();
        top.forEach(t -> counts.put(t._1(), t._2()));
        int merges = config.maxVocabulary() - 1 - 256;
        return Vocabulary.bpe(BytePairEncoding.learn(counts, merges));
    }

    /** Encodes every segment's text into token parts; returns the segments re-expressed in tokens. */
    static List<Segment> encode(JavaSparkContext sc, Storage storage, String dataset, ReadOutcome read,
                                Broadcast<Vocabulary> vocabulary) {
        var encoded = sc.parallelize(byTask(read.segments()), Math.max(1, tasks(read.segments())))
                .map(task -> TokenEncoder.encode(storage, dataset, task._1(), task._2(), vocabulary.value()))
                .collect();
        var segments = new ArrayList<Segment>();
        encoded.stream().sorted(Comparator.comparingInt(list -> list.isEmpty() ? 0 : list.get(0).task()))
                .forEach(segments::addAll);
        return segments;
    }

    /** The segments of each reading task, in order: one Spark task reads one task's parts. */
    private static List<Tuple2<Integer, List<Segment>>> byTask(List<Segment> segments) {
        var grouped = new TreeMap<Integer, List<Segment>>();
        for (Segment segment : segments) {
            grouped.computeIfAbsent(segment.task(), t -> new ArrayList<>()).add(segment);
        }
        var tasks = new ArrayList<Tuple2<Integer, List<Segment>>>();
        for (Map.Entry<Integer, List<Segment>> e : grouped.entrySet()) {
            tasks.add(new Tuple2<>(e.getKey(), e.getValue()));
        }
        return tasks;
    }

    private static int tasks(List<Segment> segments) {
        return (int) segments.stream().mapToInt(Segment::task).distinct().count();
    }

    /** Most frequent first; ties by the word's bytes, so that the words kept do not depend on partitioning. */
    static final class ByCountDescending implements Comparator<Tuple2<BytePairEncoding.Word, Long>>, Serializable {
        @Override
        public int compare(Tuple2<BytePairEncoding.Word, Long> a, Tuple2<BytePairEncoding.Word, Long> b) {
            int byCount = Long.compare(b._2(), a._2());
            return byCount != 0 ? byCount : java.util.Arrays.compare(a._1().bytes(), b._1().bytes());
        }
    }
}
