package dev.lmpipe.data;

import dev.lmpipe.LmpipeException;
import dev.lmpipe.storage.Storage;
import dev.lmpipe.text.Vocabulary;

import java.io.IOException;
import java.io.OutputStream;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32C;

/**
 * The character tokenizer's shards, written by the reading pass while it reads: a task streams each split's clean
 * text straight into shard files of at most {@code shardTokens} characters, one byte per character while the task
 * has met at most 128 distinct characters outside ASCII, two bytes after. The bytes are codes local to the task:
 * codes 0 to 127 are the ASCII characters themselves, so a piece of plain ASCII (most text) is copied, not
 * encoded; other characters take the next code when first met. Each shard carries its code table
 * ({@link Written#symbols}, the character of every code).
 * The vocabulary, known only once every task has counted, then becomes each shard's map from codes to ids in the
 * manifest ({@link ShardInfo#codes}), so no second pass rewrites the text: tokenize writes the corpus once, at
 * about one byte per character, instead of clean text and then two-byte ids.
 *
 * <p>One writer per task, not thread-safe. A file judged bad after its text was written (binary, invalid UTF-8
 * under {@code skip}) leaves its characters in the shard; {@link #rewrite} copies such a shard without them
 * ({@link #repairs} says which).
 */
public final class CharShards implements AutoCloseable {
    /** Header version of shards whose bytes are codes of the shard's table, one or two bytes each. */
    public static final int VERSION = 2;
    /** Codes a two-byte table holds: a task that meets more distinct characters starts a new table. */
    static final int MAX_CODES = 1 << 16;
    /** Codes 0 to 127 stand for the ASCII characters themselves. */
    static final int ASCII = 128;
    private static final int BUFFER_BYTES = 1 << 20;

    /**
     * A finished shard, before the vocabulary exists.
     *
     * @param symbols the code point of every code, in code order (0 to 127 first)
     */
    public record Written(String file, Split split, int width, long tokens, long bytes, String crc32c, int[] symbols)
            implements Serializable {

        /** What the manifest lists: the shard with its codes mapped to the vocabulary's ids. */
        public ShardInfo describe(Vocabulary vocabulary) {
            int[] codes = new int[symbols.length];
            for (int code = 0; code < symbols.length; code++) {
                codes[code] = vocabulary.id(symbols[code]);
            }
            return new ShardInfo(file, split, tokens, bytes, crc32c, codes);
        }

        /**
         * Whether the shard may hold {@code <unk>}: a character of its table that the corpus holds ({@code counts}
         * of code points) has no id of its own. Only such shards are read again to count them.
         */
        public boolean mayHoldUnknown(Vocabulary vocabulary, java.util.Map<Integer, Long> counts) {
            for (int cp : symbols) {
                if (!vocabulary.contains(cp) && counts.getOrDefault(cp, 0L) > 0) {
                    return true;
                }
            }
            return false;
        }
    }

    /** The {@code <unk>} tokens of a shard, counted by reading it (verified) again. */
    public static long unknownTokens(Storage storage, String dataset, ShardInfo shard) {
        long unknown = 0;
        for (int id : Shards.read(storage, dataset, shard)) {
            unknown += id == Vocabulary.UNK ? 1 : 0;
        }
        return unknown;
    }

    /** Receives where a run of characters went: shard number (per task and split), first token, tokens. */
    public interface Placement {
        void place(int shard, long start, long tokens);
    }

    private final Storage storage;
    private final String dataset;
    private final int task;
    private final long shardTokens;
    private final Map<Split, Stream> open = new EnumMap<>(Split.class);
    private final Map<Split, Integer> opened = new EnumMap<>(Split.class);
    private final List<Written> written = new ArrayList<>();
    /** Code + 1 of every code point met since the table started, 0 for none. */
    private int[] codeOf;
    private int[] symbols = new int[256];
    private int symbolCount;
    private int width = 1;

    public CharShards(Storage storage, String dataset, int task, long shardTokens) {
        if (shardTokens <= 0) {
            throw new IllegalArgumentException("shardTokens must be positive, got " + shardTokens);
        }
        this.storage = storage;
        this.dataset = dataset;
        this.task = task;
        this.shardTokens = shardTokens;
        startTable();
    }

    private void startTable() {
        codeOf = new int[Character.MAX_CODE_POINT + 1];
        for (int cp = 0; cp < ASCII; cp++) {
            symbols[cp] = cp;
            codeOf[cp] = cp + 1;
        }
        symbolCount = ASCII;
    }

    /** Name of a task's {@code shard}-th shard of a split: corpus order is split, then task, then shard. */
    public static String file(Split split, int task, int shard) {
        return String.format("%s-%05d-%05d.shard", split, task, shard);
    }

    /**
     * Appends {@code [0, length)} of {@code utf8}, valid UTF-8 (the cleaner's output) of {@code characters}
     * characters, to the split's shards, telling {@code placement} where each run of it went (a run ends where a
     * shard does).
     */
    public void append(Split split, byte[] utf8, int length, int characters, Placement placement) {
        boolean ascii = characters == length;
        int i = 0;
        while (i < length) {
            Stream stream = stream(split);
            long start = stream.tokens;
            i = ascii && stream.width == 1 ? stream.copy(utf8, i, length) : stream.encode(utf8, i, length);
            if (stream.tokens > start) {
                placement.place(stream.index, start, stream.tokens - start);
            }
            if (stream.tokens == shardTokens) {
                finish(split);
            } else if (i < length) {
                assign(codePoint(utf8, i));
            }
        }
    }

    /** Bytes of the UTF-8 sequence that {@code lead} starts, in valid UTF-8. */
    private static int size(byte lead) {
        return lead >= 0 ? 1 : (lead & 0xE0) == 0xC0 ? 2 : (lead & 0xF0) == 0xE0 ? 3 : 4;
    }

    /** The code point of the sequence at {@code i} of valid UTF-8. */
    private static int codePoint(byte[] utf8, int i) {
        int b = utf8[i];
        return switch (size(utf8[i])) {
            case 1 -> b;
            case 2 -> (b & 0x1F) << 6 | (utf8[i + 1] & 0x3F);
            case 3 -> (b & 0x0F) << 12 | (utf8[i + 1] & 0x3F) << 6 | (utf8[i + 2] & 0x3F);
            default -> (b & 0x07) << 18 | (utf8[i + 1] & 0x3F) << 12 | (utf8[i + 2] & 0x3F) << 6 | (utf8[i + 3] & 0x3F);
        };
    }

    /** Gives a code point met for the first time its code; first, when the table is full, starts a new one. */
    private void assign(int cp) {
        if (symbolCount == (width == 1 ? 256 : MAX_CODES)) {
            // Finish every open shard with the table as it is, then go on with two-byte codes (or, already at two
            // bytes, with a new table).
            close();
            if (width == 1) {
                width = 2;
            } else {
                startTable();
            }
        }
        if (symbolCount == symbols.length) {
            symbols = Arrays.copyOf(symbols, 2 * symbolCount);
        }
        symbols[symbolCount] = cp;
        codeOf[cp] = ++symbolCount;
    }

    public int task() {
        return task;
    }

    /** The shards this task finished, in the order they were finished. */
    public List<Written> written() {
        return written;
    }

    /** Finishes every open shard. */
    @Override
    public void close() {
        for (Split split : List.copyOf(open.keySet())) {
            finish(split);
        }
    }

    private Stream stream(Split split) {
        Stream stream = open.get(split);
        if (stream == null) {
            int index = opened.merge(split, 1, Integer::sum) - 1;
            stream = new Stream(split, index, width);
            open.put(split, stream);
        }
        return stream;
    }

    private void finish(Split split) {
        Stream stream = open.remove(split);
        Written done = stream.close(Arrays.copyOf(symbols, symbolCount));
        if (done != null) {
            written.add(done);
        }
    }

    /** The shard header of this format; bytes 8..15 are 0: the token count is the file's size less the header, over the width. */
    static byte[] header(int width) {
        return ByteBuffer.allocate(Shards.HEADER_BYTES).order(ByteOrder.LITTLE_ENDIAN)
                .put(Shards.MAGIC).putShort((short) VERSION).putShort((short) width).putLong(0).array();
    }

    /** One split's shard being written; its file is created on the first flush. */
    private final class Stream {
        final Split split;
        final int index;
        final int width;
        final String file;
        final byte[] buffer = new byte[BUFFER_BYTES];
        final CRC32C crc = new CRC32C();
        OutputStream out;
        int filled;
        long tokens;

        Stream(Split split, int index, int width) {
            this.split = split;
            this.index = index;
            this.width = width;
            this.file = file(split, task, index);
            byte[] header = header(width);
            System.arraycopy(header, 0, buffer, 0, header.length);
            filled = header.length;
        }

        /** Copies plain ASCII from byte {@code i} of {@code utf8} on (its codes are its bytes); returns where it stopped. */
        int copy(byte[] utf8, int i, int length) {
            while (i < length && tokens < shardTokens) {
                if (filled == buffer.length) {
                    flush();
                }
                int n = (int) Math.min(Math.min(length - i, shardTokens - tokens), buffer.length - filled);
                System.arraycopy(utf8, i, buffer, filled, n);
                filled += n;
                tokens += n;
                i += n;
            }
            return i;
        }

        /**
         * Encodes characters from byte {@code i} of {@code utf8} on, until {@code length}, a full shard, or a
         * character without a code; returns where it stopped.
         */
        int encode(byte[] utf8, int i, int length) {
            int[] codes = codeOf;
            boolean wide = width == 2;
            long room = shardTokens - tokens;
            long added = 0;
            while (i < length && added < room) {
                if (filled + 2 > buffer.length) {
                    flush();
                }
                byte[] out = buffer;
                int f = filled;
                // Tokens that fit both the shard and the buffer: the inner loop checks nothing else.
                int n = (int) Math.min(room - added, (out.length - f) / 2);
                int from = f;
                for (; n > 0 && i < length; n--) {
                    int b = utf8[i];
                    int cp;
                    if (b >= 0) {
                        cp = b;
                        i++;
                    } else if (b < (byte) 0xE0) {
                        cp = (b & 0x1F) << 6 | (utf8[i + 1] & 0x3F);
                        i += 2;
                    } else if (b < (byte) 0xF0) {
                        cp = (b & 0x0F) << 12 | (utf8[i + 1] & 0x3F) << 6 | (utf8[i + 2] & 0x3F);
                        i += 3;
                    } else {
                        cp = (b & 0x07) << 18 | (utf8[i + 1] & 0x3F) << 12 | (utf8[i + 2] & 0x3F) << 6 | (utf8[i + 3] & 0x3F);
                        i += 4;
                    }
                    int code = codes[cp] - 1;
                    if (code < 0) {
                        i -= size((byte) b);
                        break;
                    }
                    out[f++] = (byte) code;
                    if (wide) {
                        out[f++] = (byte) (code >>> 8);
                    }
                }
                added += wide ? (f - from) / 2 : f - from;
                filled = f;
                if (n > 0 && i < length) {
                    break; // a character without a code
                }
            }
            tokens += added;
            return i;
        }

        void flush() {
            String path = Storage.child(dataset, file);
            try {
                if (out == null) {
                    out = storage.create(path);
                }
                crc.update(buffer, 0, filled);
                out.write(buffer, 0, filled);
                filled = 0;
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write shard " + path, e);
            }
        }

        /** Writes what is left; null for a shard that never got a token (its file is never created). */
        Written close(int[] table) {
            if (tokens == 0) {
                return null;
            }
            flush();
            try {
                out.close();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write shard " + Storage.child(dataset, file), e);
            }
            return new Written(file, split, width, tokens, Shards.HEADER_BYTES + tokens * width,
                    Shards.hex(crc), table);
        }
    }

    /** A shard that holds text of files left out, and the segments of it to keep, in shard order. */
    public record Repair(Written shard, List<Segment> kept) implements Serializable {
        /** The name of the shard without the text left out. */
        public String file() {
            return shard.file().replace(".shard", "-kept.shard");
        }
    }

    /** The shards of the reading pass that hold segments of files left out, with what to keep of each. */
    public static List<Repair> repairs(ReadOutcome read) {
        var damaged = new java.util.TreeSet<String>();
        read.dropped().forEach(segment -> damaged.add(segment.shardFile()));
        var kept = new java.util.HashMap<String, List<Segment>>();
        for (Segment segment : read.segments()) {
            if (damaged.contains(segment.shardFile())) {
                kept.computeIfAbsent(segment.shardFile(), f -> new ArrayList<>()).add(segment);
            }
        }
        return read.shards().stream().filter(shard -> damaged.contains(shard.file()))
                .map(shard -> new Repair(shard, kept.getOrDefault(shard.file(), List.of()).stream()
                        .sorted(java.util.Comparator.comparingLong(Segment::start)).toList()))
                .toList();
    }

    /** {@code shards} with each repaired one replaced by its rewrite ({@code rewritten}, null: nothing kept). */
    public static List<Written> replace(List<Written> shards, List<Repair> repairs, List<Written> rewritten) {
        var repaired = new java.util.HashMap<String, Written>();
        for (int i = 0; i < repairs.size(); i++) {
            repaired.put(repairs.get(i).shard().file(), rewritten.get(i));
        }
        var result = new ArrayList<Written>();
        for (Written shard : shards) {
            Written kept = repaired.containsKey(shard.file()) ? repaired.get(shard.file()) : shard;
            if (kept != null) {
                result.add(kept);
            }
        }
        return result;
    }

    /**
     * Copies a repair's kept segments (token ranges of its shard) into a new shard with the same codes and deletes
     * the old one. Returns null, the old shard deleted, when nothing is kept.
     */
    public static Written rewrite(Storage storage, String dataset, Repair repair) {
        Written shard = repair.shard();
        String from = Storage.child(dataset, shard.file());
        long tokens = repair.kept().stream().mapToLong(Segment::length).sum();
        Written result = null;
        if (tokens > 0) {
            String path = Storage.child(dataset, repair.file());
            var crc = new CRC32C();
            try (OutputStream out = storage.create(path)) {
                byte[] header = header(shard.width());
                crc.update(header);
                out.write(header);
                byte[] bytes = new byte[0];
                for (Segment segment : repair.kept()) {
                    int length = (int) segment.length() * shard.width();
                    bytes = length <= bytes.length ? bytes : new byte[length];
                    storage.readFully(from, Shards.HEADER_BYTES + segment.start() * shard.width(), bytes, length);
                    crc.update(bytes, 0, length);
                    out.write(bytes, 0, length);
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write shard " + path, e);
            }
            result = new Written(repair.file(), shard.split(), shard.width(), tokens,
                    Shards.HEADER_BYTES + tokens * shard.width(), Shards.hex(crc), shard.symbols());
        }
        storage.delete(from);
        return result;
    }

    /** The manifest's code table of a format-2 shard; fails naming the shard when it is missing or too long for the width. */
    static int[] checkedCodes(String path, int[] codes, int width) {
        if (codes == null || codes.length > (width == 1 ? 256 : MAX_CODES)) {
            throw new LmpipeException("shard " + path + " has " + width + "-byte codes but its manifest entry "
                    + (codes == null ? "has no code table" : "has " + codes.length + " codes") + "; re-run tokenize");
        }
        return codes;
    }
}
