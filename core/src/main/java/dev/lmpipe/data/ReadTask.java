package dev.lmpipe.data;

import dev.lmpipe.storage.Storage;
import dev.lmpipe.text.Bzip2Range;
import dev.lmpipe.text.Cleaning;
import dev.lmpipe.text.Corpus;
import dev.lmpipe.text.CorruptInput;
import dev.lmpipe.text.Documents;
import dev.lmpipe.text.FileStats;
import dev.lmpipe.text.InvalidUtf8;
import dev.lmpipe.text.PieceReader;
import dev.lmpipe.text.ReadPlan;
import dev.lmpipe.text.Source;
import dev.lmpipe.text.TextCleaner;
import dev.lmpipe.text.TokenizerKind;
import dev.lmpipe.text.Unreadable;
import org.apache.hadoop.fs.FSError;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Tokenize's reading pass, one task: reads its byte ranges piece by piece, cleans the text, assigns each
 * document to its split, and counts characters. The clean text goes, per split, straight into the task's shards
 * for the character tokenizer ({@link CharShards}), or into the task's part file for BPE, whose vocabulary must be
 * learned before anything is encoded. Memory is bounded by the piece size, whatever the files.
 *
 * <p>A file the task read whole is judged here (unreadable, binary, invalid UTF-8): a rejected file's counts are
 * dropped and its segments left out. A file shared with other tasks is judged on the driver from every task's
 * {@link Partial}; the driver then drops its segments if needed. A file that cannot be read to its end (a truncated
 * or corrupt gzip or bzip2 stream, a failure of the file system) is one more reason to leave it out, never a failed
 * task: whether the run stops is for the driver to say, under {@code corrupt}.
 */
public final class ReadTask {
    /** A segment closes after this many characters, at the next piece boundary. */
    static final long SEGMENT_CHARACTERS = 1 << 20;

    private ReadTask() {
    }

    /**
     * Settings of the reading pass.
     *
     * @param shardTokens characters per shard of the character tokenizer's shards; 0 to write text parts (BPE)
     * @param corrupt     whether a file that cannot be read stops the run (judged on the driver)
     */
    public record Settings(Documents documents, long blockBytes, int pieceBytes, Cleaning cleaning,
                           DocumentSplits splits, InvalidUtf8 invalidUtf8, double maxControlShare, long shardTokens,
                           CorruptInput corrupt)
            implements Serializable {
        /** The reading pass of {@code config}, in pieces of at most {@code pieceBytes}, for {@code tokenizer}. */
        public static Settings of(TokenizeConfig config, TokenizerKind tokenizer, int pieceBytes) {
            return new Settings(config.documents(), config.blockBytes(), config.pieceBytes(pieceBytes), config.cleaning(),
                    config.splits(), config.invalidUtf8(), config.maxControlShare(),
                    tokenizer == TokenizerKind.character ? config.shardTokens() : 0, config.corrupt());
        }
    }

    /** A file left out, and why; {@code unreadable} when it could not be read to its end. */
    public record Rejected(int source, String reason, boolean unreadable) implements Serializable {
    }

    /** What one task saw of a file it shared with other tasks: judged on the driver. */
    public record Partial(int source, FileStats stats, long[][] counts) implements Serializable {
    }

    /**
     * One task's result: only counts and segment positions, never text.
     *
     * @param segments      the segments of accepted whole files and of shared files, in reading order
     * @param counts        character counts of accepted whole files, {code points, counts}
     * @param accepted      totals over accepted whole files
     * @param acceptedFiles number of accepted whole files
     * @param emptyFiles    how many of them hold no text: no bytes, or none left after cleaning
     * @param rejected      whole files left out
     * @param partials      shared files, to be judged on the driver
     * @param firstInvalid  the first accepted whole file with invalid UTF-8 and the offset, or null
     * @param shards        the shards written (character tokenizer), in the order they were finished
     * @param dropped       segments of rejected whole files already written to those shards
     */
    public record Result(int task, List<Segment> segments, long[][] counts, FileStats accepted, int acceptedFiles,
                         int emptyFiles, List<Rejected> rejected, List<Partial> partials, long[] firstInvalid,
                         List<CharShards.Written> shards, List<Segment> dropped) implements Serializable {
    }

    public static Result run(Storage storage, List<Source> sources, List<ReadPlan.Range> ranges, int task,
                             String dataset, Settings settings) {
        var cleaner = new TextCleaner(settings.cleaning());
        var acceptedCounts = new long[Character.MAX_CODE_POINT + 1];
        var accepted = new FileStats();
        var rejected = new ArrayList<Rejected>();
        var partials = new ArrayList<Partial>();
        var segments = new ArrayList<Segment>();
        var dropped = new ArrayList<Segment>();
        long[] firstInvalid = null;
        int acceptedFiles = 0;
        int emptyFiles = 0;
        var lastWhole = new EnumMap<Split, Integer>(Split.class);
        Output parts = settings.shardTokens() > 0 ? new ShardOutput(new CharShards(storage, dataset, task,
                settings.shardTokens())) : new PartWriters(storage, dataset, task);
        try (parts) {
            for (ReadPlan.Range range : ranges) {
                Source source = sources.get(range.source());
                var stats = new FileStats();
                int before = segments.size();
                readRange(storage, source, range, settings, cleaner, stats, parts, segments);
                if (!range.whole()) {
                    lastWhole.clear(); // a shared file's segments may be dropped on the driver: never merge into them
                    partials.add(new Partial(range.source(), stats, cleaner.drain()));
                    continue;
                }
                String reason = stats.rejection(settings.invalidUtf8(), settings.maxControlShare());
                if (reason != null) {
                    cleaner.discard();
                    dropped.addAll(segments.subList(before, segments.size()));
                    segments.subList(before, segments.size()).clear();
                    rejected.add(new Rejected(range.source(), reason, stats.failure() != null));
                    continue;
                }
                coalesce(segments, before, lastWhole);
                cleaner.drainTo(acceptedCounts);
                accepted.merge(stats);
                acceptedFiles++;
                if (stats.characters() == 0) {
                    emptyFiles++;
                }
                if (stats.invalidBytes() > 0 && firstInvalid == null) {
                    firstInvalid = new long[]{range.source(), stats.firstInvalid()};
                }
            }
        }
        return new Result(task, segments, TextCleaner.sparse(acceptedCounts), accepted, acceptedFiles, emptyFiles,
                rejected, partials, firstInvalid, parts.shards(), dropped);
    }

    /**
     * Merges the segments of an accepted whole file, from index {@code from} on, into the previous accepted whole
     * file's segment of the same split when they follow each other in the part file: a task of many small files
     * then gives a few segments per split, not three per file, and the shard pass opens the parts that many
     * times fewer. {@code lastWhole} holds, per split, the index of the segment merged into last.
     */
    private static void coalesce(List<Segment> segments, int from, Map<Split, Integer> lastWhole) {
        var added = new ArrayList<>(segments.subList(from, segments.size()));
        segments.subList(from, segments.size()).clear();
        for (Segment segment : added) {
            Integer last = lastWhole.get(segment.split());
            Segment previous = last == null ? null : segments.get(last);
            if (previous != null && previous.shard() == segment.shard()
                    && previous.start() + previous.length() == segment.start()
                    && previous.characters() + segment.characters() <= SEGMENT_CHARACTERS) {
                segments.set(last, previous.plus(segment.length(), segment.characters()));
            } else {
                segments.add(segment);
                lastWhole.put(segment.split(), segments.size() - 1);
            }
        }
    }

    /**
     * A reader of the range: plain bytes, a whole gzip file, or the blocks a bzip2 range owns (a whole bzip2 file
     * is one range). With {@code documents = blocks} a bzip2 file's documents are its blocks, split or not.
     */
    private static PieceReader open(Storage storage, Source source, ReadPlan.Range range, Settings settings)
            throws IOException {
        if (!source.bzip2()) {
            var in = Corpus.open(storage, source, Math.max(0, range.start() - 2));
            return new PieceReader(in, range.source(), range.start(), range.end(), settings.documents(),
                    settings.blockBytes(), settings.pieceBytes());
        }
        long start = range.whole() ? 0 : range.start();
        long end = range.whole() ? Long.MAX_VALUE : range.end();
        Bzip2Range bzip2 = Corpus.openBzip2(storage, source, start, end);
        return new PieceReader(bzip2, range.source(), 0, Long.MAX_VALUE, settings.documents(), settings.blockBytes(),
                settings.pieceBytes()).blocksBy(bzip2::blockAt);
    }

    /**
     * Reads one range into the output. A failure to open or read the source ends the range there and is recorded in
     * {@code stats}; the segments written until then are still listed, so that a rejection can drop them.
     */
    private static void readRange(Storage storage, Source source, ReadPlan.Range range, Settings settings,
                                  TextCleaner cleaner, FileStats stats, Output output, List<Segment> segments) {
        long key = settings.splits().key(source.name());
        int first = segments.size();
        var open = new EnumMap<Split, Segment>(Split.class);
        try (var reader = open(storage, source, range, settings)) {
            while (reader.hasNext()) {
                PieceReader.Piece piece = reader.next();
                var cleaned = cleaner.clean(piece.bytes(), piece.length(), piece.offset(), stats);
                if (cleaned.length() == 0) {
                    continue;
                }
                Split split = settings.splits().of(key, piece.document());
                output.write(split, cleaned, (shard, at, length, characters) -> {
                    Segment current = open.get(split);
                    if (current == null || current.characters() >= SEGMENT_CHARACTERS || current.shard() != shard) {
                        if (current != null) {
                            segments.add(current);
                        }
                        current = new Segment(range.source(), piece.offset(), output.task(), shard, split, at, 0, 0);
                    }
                    open.put(split, current.plus(length, characters));
                });
            }
        } catch (IOException e) {
            stats.failed(Unreadable.opening(source, e).reason(), range.start());
        } catch (FSError e) {
            stats.failed(Unreadable.opening(source, Unreadable.cause(e)).reason(), range.start());
        } catch (PieceReader.ReadFailure e) {
            stats.failed(Unreadable.reading(source, e.getCause(), e.offset()).reason(), range.start());
        }
        segments.addAll(open.values());
        segments.subList(first, segments.size()).sort(java.util.Comparator.comparingLong(Segment::offset));
    }

    /** Receives where clean text went: shard number (-1: part file), first byte or token, bytes or tokens, characters. */
    private interface Placement {
        void place(int shard, long at, long length, long characters);
    }

    /** Where a task's clean text goes. */
    private interface Output extends AutoCloseable {
        int task();

        void write(Split split, TextCleaner.Cleaned cleaned, Placement placement);

        /** The shards written, once closed. */
        List<CharShards.Written> shards();

        @Override
        void close();
    }

    /** The character tokenizer's output: the task's shards, one token per character. */
    private record ShardOutput(CharShards writer) implements Output {
        @Override
        public int task() {
            return writer.task();
        }

        @Override
        public void write(Split split, TextCleaner.Cleaned cleaned, Placement placement) {
            writer.append(split, cleaned.bytes(), cleaned.length(), cleaned.characters(),
                    (shard, start, tokens) -> placement.place(shard, start, tokens, tokens));
        }

        @Override
        public List<CharShards.Written> shards() {
            return writer.written();
        }

        @Override
        public void close() {
            writer.close();
        }
    }

    /** The task's part files, one per split, opened on first use. */
    private static final class PartWriters implements Output {
        private final Storage storage;
        private final String dataset;
        private final int task;
        private final Map<Split, OutputStream> streams = new EnumMap<>(Split.class);
        private final Map<Split, Long> written = new EnumMap<>(Split.class);

        PartWriters(Storage storage, String dataset, int task) {
            this.storage = storage;
            this.dataset = dataset;
            this.task = task;
        }

        @Override
        public int task() {
            return task;
        }

        /** Appends to the split's part. */
        @Override
        public void write(Split split, TextCleaner.Cleaned cleaned, Placement placement) {
            var out = streams.computeIfAbsent(split,
                    s -> new BufferedOutputStream(storage.create(Parts.text(dataset, task, s)), 1 << 20));
            long at = written.getOrDefault(split, 0L);
            try {
                out.write(cleaned.bytes(), 0, cleaned.length());
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write " + Parts.text(dataset, task, split), e);
            }
            written.put(split, at + cleaned.length());
            placement.place(-1, at, cleaned.length(), cleaned.characters());
        }

        @Override
        public List<CharShards.Written> shards() {
            return List.of();
        }

        @Override
        public void close() {
            for (var entry : streams.entrySet()) {
                try {
                    entry.getValue().close();
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot write " + Parts.text(dataset, task, entry.getKey()), e);
                }
            }
        }
    }
}
