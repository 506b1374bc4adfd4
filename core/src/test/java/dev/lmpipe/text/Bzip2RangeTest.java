package dev.lmpipe.text;

import org.apache.hadoop.io.compress.bzip2.CBZip2OutputStream;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class Bzip2RangeTest {
    /** Random lines, some far longer than a 100 KB bzip2 block, some blank; with blocks of 100 KB. */
    private static byte[] text() {
        var random = new Random(3);
        var text = new StringBuilder();
        String[] words = {"north", "wind", "Ωμέγα", "日本", "🌊", "log", "e\u0301"};
        while (text.length() < 1_500_000) {
            int words_ = random.nextInt(100) == 0 ? 60_000 : random.nextInt(20);
            for (int w = 0; w < words_; w++) {
                text.append(words[random.nextInt(words.length)]).append(' ');
            }
            text.append(random.nextInt(10) == 0 ? "\r\n" : "\n");
        }
        return text.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] bzip2(byte[] text) throws IOException {
        var out = new ByteArrayOutputStream();
        out.write('B');
        out.write('Z');
        try (var bz = new CBZip2OutputStream(out, 1)) {
            bz.write(text);
        }
        return out.toByteArray();
    }

    /** The ranges' texts in order, and the block of every byte, as read with ranges of {@code splitBytes}. */
    private static List<long[]> read(byte[] compressed, long splitBytes, ByteArrayOutputStream text) throws IOException {
        var cuts = new ArrayList<Long>();
        for (long start = 0; start < compressed.length; start += splitBytes) {
            cuts.add(start);
        }
        return read(compressed, cuts, text);
    }

    /** The same with ranges starting at {@code cuts} (the first 0), each ending where the next starts. */
    private static List<long[]> read(byte[] compressed, List<Long> cuts, ByteArrayOutputStream text) throws IOException {
        var blocks = new ArrayList<long[]>();
        for (int c = 0; c < cuts.size(); c++) {
            long start = cuts.get(c);
            long end = c + 1 < cuts.size() ? cuts.get(c + 1) : compressed.length;
            var file = new ByteArrayInputStream(compressed);
            file.skipNBytes(start);
            try (var range = new Bzip2Range(file, start, end)) {
                byte[] bytes = range.readAllBytes();
                long[] blockOf = new long[bytes.length];
                for (int i = 0; i < bytes.length; i++) {
                    blockOf[i] = range.blockAt(i);
                }
                blocks.add(blockOf);
                text.writeBytes(bytes);
            }
        }
        return blocks;
    }

    private static long[] concat(List<long[]> parts) {
        int n = parts.stream().mapToInt(p -> p.length).sum();
        long[] all = new long[n];
        int at = 0;
        for (long[] p : parts) {
            System.arraycopy(p, 0, all, at, p.length);
            at += p.length;
        }
        return all;
    }

    @Test
    void rangesOfAnySizeReadEveryLineOnceAndAgreeOnTheBlockOfEveryLine() throws IOException {
        byte[] text = text();
        byte[] compressed = bzip2(text);
        var whole = new ByteArrayOutputStream();
        long[] wholeBlocks = concat(read(compressed, compressed.length, whole));
        assertThat(whole.toByteArray()).isEqualTo(text);
        long distinct = java.util.Arrays.stream(wholeBlocks).distinct().count();
        assertThat(distinct).as("blocks of 100 KB in %d bytes", text.length).isGreaterThan(10);
        assertThat(compressed.length).isGreaterThan(100_000);

        for (long splitBytes : new long[]{1000, 4099, 30_000, 100_003}) {
            var ranged = new ByteArrayOutputStream();
            List<long[]> parts = read(compressed, splitBytes, ranged);
            assertThat(parts.stream().filter(p -> p.length > 0).count()).as("ranges with text, split %d", splitBytes)
                    .isGreaterThan(Math.min(5, compressed.length / splitBytes / 2));
            long[] blocks = concat(parts);
            assertThat(ranged.toByteArray()).as("split %d", splitBytes).isEqualTo(text);
            assertSameLineBlocks(text, wholeBlocks, blocks, "split " + splitBytes);
        }
        // A cut inside or just around each block marker: the range that owns the block must still find it.
        long[] markers = java.util.Arrays.stream(wholeBlocks).distinct().toArray();
        for (long marker : markers) {
            for (long back : new long[]{-1, 0, 1, 2, 7}) {
                if (marker - back <= 0) {
                    continue;
                }
                var ranged = new ByteArrayOutputStream();
                long[] blocks = concat(read(compressed, List.of(0L, marker - back), ranged));
                assertThat(ranged.toByteArray()).as("cut %d before marker %d", back, marker).isEqualTo(text);
                assertSameLineBlocks(text, wholeBlocks, blocks, "cut " + back + " before marker " + marker);
            }
        }
    }

    private static void assertSameLineBlocks(byte[] text, long[] expected, long[] actual, String what) {
        // every byte's block, which gives the document of a line's start and of the pieces of a long line
        for (int i = 0; i < text.length; i++) {
            if (actual[i] != expected[i]) {
                assertThat(actual[i]).as("byte %d, %s", i, what).isEqualTo(expected[i]);
            }
        }
    }

    /** About 250 KB of short lines: three blocks of 100 KB. */
    private static byte[] smallText() {
        var random = new Random(5);
        var text = new StringBuilder();
        while (text.length() < 250_000) {
            text.append("line ").append(random.nextInt(1_000_000)).append('\n');
        }
        return text.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static long[] markers(byte[] compressed) throws IOException {
        var text = new ByteArrayOutputStream();
        return Arrays.stream(concat(read(compressed, List.of(0L), text))).distinct().toArray();
    }

    private static void readWhole(byte[] compressed) throws IOException {
        try (var range = new Bzip2Range(new ByteArrayInputStream(compressed), 0, Long.MAX_VALUE)) {
            range.readAllBytes();
        }
    }

    @Test
    void aStreamCutWithinABlockFailsNamingThatBlock() throws IOException {
        byte[] compressed = bzip2(smallText());
        long[] markers = markers(compressed);
        assertThat(markers).hasSize(3);

        byte[] cut = Arrays.copyOf(compressed, (int) markers[1] + 1000);

        assertThatThrownBy(() -> readWhole(cut)).isInstanceOf(Bzip2Range.Corrupt.class)
                .hasMessage(String.format("truncated bzip2 stream: unexpected end of stream in the block at byte %,d",
                        markers[1]));
    }

    @Test
    void aBlockThatDoesNotDecodeFailsNamingIt() throws IOException {
        byte[] compressed = bzip2(smallText());
        long[] markers = markers(compressed);
        byte[] corrupt = compressed.clone();
        for (long i = markers[1] + 500; i < markers[1] + 600; i++) {
            corrupt[(int) i] ^= 0x5A;
        }

        assertThatThrownBy(() -> readWhole(corrupt)).isInstanceOf(Bzip2Range.Corrupt.class)
                .hasMessageStartingWith("corrupt bzip2 stream: ")
                .hasMessageEndingWith(String.format(" in the block at byte %,d", markers[1]));
    }

    /** Hadoop's reader looks for a block marker anywhere: without this check, garbage would read as an empty file. */
    @Test
    void garbageAfterAValidHeaderIsCorruptNotEmpty() {
        byte[] garbage = new byte[5000];
        new Random(2).nextBytes(garbage);
        System.arraycopy(new byte[]{'B', 'Z', 'h', '9'}, 0, garbage, 0, 4);

        assertThatThrownBy(() -> readWhole(garbage)).isInstanceOf(Bzip2Range.Corrupt.class)
                .hasMessage("corrupt bzip2 stream: no block after the header");
        assertThatThrownBy(() -> readWhole(new byte[]{'B', 'Z', 'h', '9'})).isInstanceOf(Bzip2Range.Corrupt.class)
                .hasMessage("truncated bzip2 stream: the file ends within its header");
    }

    @Test
    void theEndOfStreamMarkerEndsEveryWholeFileAndNoCutOne() throws IOException {
        for (String text : List.of("", "x", "a line\n", "ab".repeat(5000), new String(smallText(), StandardCharsets.UTF_8))) {
            byte[] compressed = bzip2(text.getBytes(StandardCharsets.UTF_8));
            readWhole(compressed);
            assertThat(Bzip2Range.endsWithEndOfStream(trailer(compressed, 0))).as("%d bytes of text", text.length()).isTrue();
            for (int cut = 1; cut <= Bzip2Range.TRAILER_BYTES; cut++) {
                assertThat(Bzip2Range.endsWithEndOfStream(trailer(compressed, cut)))
                        .as("%d bytes of text, %d bytes cut", text.length(), cut).isFalse();
            }
        }
    }

    /** The last bytes of {@code compressed} once {@code cut} bytes are taken off its end. */
    private static byte[] trailer(byte[] compressed, int cut) {
        int end = compressed.length - cut;
        return Arrays.copyOfRange(compressed, Math.max(0, end - Bzip2Range.TRAILER_BYTES), end);
    }

    @Test
    void aFileThatIsNotBzip2IsRefusedRatherThanReadAsEmpty() {
        var file = new ByteArrayInputStream("plain text, not compressed\n".getBytes(StandardCharsets.UTF_8));
        assertThatThrownBy(() -> new Bzip2Range(file, 0, Long.MAX_VALUE))
                .isInstanceOf(Bzip2Range.Corrupt.class).hasMessageContaining("not a bzip2 file");
    }
}
