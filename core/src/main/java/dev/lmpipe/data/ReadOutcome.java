package dev.lmpipe.data;

import dev.lmpipe.LmpipeException;
import dev.lmpipe.text.Corpus;
import dev.lmpipe.text.FileStats;
import dev.lmpipe.text.InvalidUtf8;
import dev.lmpipe.text.Source;
import dev.lmpipe.text.Unreadable;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The reading pass put together on the driver, from the tasks' counts: judges the files that several tasks
 * shared, drops the segments of every file left out, adds up the character counts of the files kept, and fails
 * naming the first unreadable file, or the first with invalid UTF-8, when the settings say so. A file that one task
 * could not read is left out whole, however many other tasks read their parts of it. The entries that listing the
 * inputs could not read join the files left out.
 *
 * @param segments       the segments of files kept, in corpus order
 * @param counts         occurrences of every code point in the files kept
 * @param filesRead      files kept
 * @param emptyFiles     how many of the files kept hold no text: no bytes, or none left after cleaning
 * @param skipped        files (and other entries) left out, in path order, with the reason
 * @param bytesRead      bytes of input in the files kept (compressed files: uncompressed bytes)
 * @param replacedBytes  invalid UTF-8 bytes replaced by U+FFFD in the files kept
 * @param shards         the character tokenizer's shards as the tasks wrote them, in corpus order
 * @param dropped        segments of files left out that those shards hold: {@link CharShards#rewrite} removes them
 */
public record ReadOutcome(List<Segment> segments, Map<Integer, Long> counts, long filesRead, long emptyFiles,
                          List<TokenizeSummary.Skipped> skipped, long bytesRead, long replacedBytes,
                          List<CharShards.Written> shards, List<Segment> dropped) {

    public static ReadOutcome combine(List<ReadTask.Result> results, Corpus.Listing listing, ReadTask.Settings settings) {
        List<Source> sources = listing.sources();
        results = results.stream().sorted(Comparator.comparingInt(ReadTask.Result::task)).toList();
        var counts = new HashMap<Integer, Long>();
        var reasons = new TreeMap<Integer, String>();
        var unreadable = new TreeSet<Integer>();
        var accepted = new FileStats();
        long filesRead = 0;
        long emptyFiles = 0;
        long[] firstInvalid = null;
        var shared = new TreeMap<Integer, FileStats>();
        var sharedCounts = new HashMap<Integer, Map<Integer, Long>>();
        for (ReadTask.Result result : results) {
            add(counts, result.counts());
            accepted.merge(result.accepted());
            filesRead += result.acceptedFiles();
            emptyFiles += result.emptyFiles();
            for (ReadTask.Rejected rejected : result.rejected()) {
                reasons.put(rejected.source(), rejected.reason());
                if (rejected.unreadable()) {
                    unreadable.add(rejected.source());
                }
            }
            firstInvalid = earlier(firstInvalid, result.firstInvalid());
            for (ReadTask.Partial partial : result.partials()) {
                shared.computeIfAbsent(partial.source(), s -> new FileStats()).merge(partial.stats());
                add(sharedCounts.computeIfAbsent(partial.source(), s -> new HashMap<>()), partial.counts());
            }
        }
        for (var entry : shared.entrySet()) {
            FileStats stats = entry.getValue();
            String reason = stats.rejection(settings.invalidUtf8(), settings.maxControlShare());
            if (reason != null) {
                reasons.put(entry.getKey(), reason);
                if (stats.failure() != null) {
                    unreadable.add(entry.getKey());
                }
                continue;
            }
            sharedCounts.get(entry.getKey()).forEach((cp, n) -> counts.merge(cp, n, Long::sum));
            accepted.merge(stats);
            filesRead++;
            if (stats.characters() == 0) {
                emptyFiles++;
            }
            if (stats.invalidBytes() > 0) {
                firstInvalid = earlier(firstInvalid, new long[]{entry.getKey(), stats.firstInvalid()});
            }
        }
        settings.corrupt().judge(unreadable.stream()
                .map(source -> new Unreadable(sources.get(source).path(), reasons.get(source))).toList());
        if (settings.invalidUtf8() == InvalidUtf8.fail && firstInvalid != null) {
            throw new LmpipeException("invalid UTF-8 in " + sources.get((int) firstInvalid[0]).path() + " at byte offset "
                    + firstInvalid[1] + "; fix the file, or set invalidUtf8 = replace or skip");
        }
        Set<Integer> left = new HashSet<>(reasons.keySet());
        var segments = new ArrayList<Segment>();
        var dropped = new ArrayList<Segment>();
        var shards = new ArrayList<CharShards.Written>();
        for (ReadTask.Result result : results) {
            for (Segment segment : result.segments()) {
                (left.contains(segment.source()) ? dropped : segments).add(segment);
            }
            dropped.addAll(result.dropped());
            shards.addAll(result.shards());
        }
        var skipped = new ArrayList<TokenizeSummary.Skipped>();
        reasons.forEach((source, reason) -> skipped.add(new TokenizeSummary.Skipped(sources.get(source).path(), reason)));
        listing.unreadable().forEach(entry -> skipped.add(new TokenizeSummary.Skipped(entry.path(), entry.reason())));
        skipped.sort(Comparator.comparing(TokenizeSummary.Skipped::path));
        return new ReadOutcome(segments, counts, filesRead, emptyFiles, skipped, accepted.bytes(), accepted.invalidBytes(),
                shards, dropped);
    }

    private static void add(Map<Integer, Long> into, long[][] table) {
        for (int k = 0; k < table[0].length; k++) {
            into.merge((int) table[0][k], table[1][k], Long::sum);
        }
    }

    private static long[] earlier(long[] a, long[] b) {
        if (a == null) {
            return b;
        }
        return b == null || a[0] < b[0] || (a[0] == b[0] && a[1] <= b[1]) ? a : b;
    }

    /** Characters of clean text per split. */
    public Map<Split, Long> characters() {
        var totals = new java.util.EnumMap<Split, Long>(Split.class);
        for (Split split : Split.values()) {
            totals.put(split, 0L);
        }
        for (Segment segment : segments) {
            totals.merge(segment.split(), segment.characters(), Long::sum);
        }
        return totals;
    }
}
