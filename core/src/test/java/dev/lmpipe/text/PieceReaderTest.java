package dev.lmpipe.text;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

class PieceReaderTest {
    private static final long BLOCK = 50;

    /** Text with short and very long lines, blank lines (some CR LF), and multi-byte characters. */
    private static byte[] corpus(long seed, int lines) {
        var random = new Random(seed);
        var text = new StringBuilder();
        String[] words = {"alpha", "βeta", "漢字", "🌊", "e\u0301", "x", "CRLF\r"};
        for (int i = 0; i < lines; i++) {
            int length = random.nextInt(10) == 0 ? 300 + random.nextInt(400) : random.nextInt(12);
            for (int w = 0; w < length; w++) {
                text.append(words[random.nextInt(words.length)]).append(random.nextInt(3) == 0 ? "" : " ");
            }
            text.append(random.nextInt(6) == 0 ? "\r\n" : "\n");
            if (random.nextInt(5) == 0) {
                text.append(random.nextBoolean() ? "\n" : "\r\n");
            }
        }
        if (random.nextBoolean()) {
            text.append("last line without newline");
        }
        return text.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** The document of every byte, computed the plain way from the whole file. */
    private static long[] documents(byte[] bytes, Documents mode) {
        long[] documents = new long[bytes.length];
        long record = 0;
        long lineStart = 0;
        boolean previousBlank = true;
        for (int i = 0; i < bytes.length; i++) {
            if (i == lineStart) {
                if (previousBlank) {
                    record = i;
                }
            }
            documents[i] = switch (mode) {
                case files -> 0;
                case blocks -> lineStart / BLOCK;
                case records -> record;
            };
            if (bytes[i] == '\n') {
                long length = i - lineStart;
                previousBlank = length == 0 || (length == 1 && bytes[i - 1] == '\r');
                lineStart = i + 1;
            }
        }
        return documents;
    }

    private static long[] documentsOfWholeRead(byte[] bytes, int maxPiece) {
        long[] documents = new long[bytes.length];
        for (var piece : read(bytes, 0, bytes.length, Documents.blocks, maxPiece)) {
            java.util.Arrays.fill(documents, (int) piece.offset(), (int) piece.offset() + piece.length(), piece.document());
        }
        return documents;
    }

    @Test
    void blocksSpreadTextWithoutLineEndsOverManyDocuments() {
        byte[] bytes = "abcdefghij".repeat(100).getBytes(StandardCharsets.UTF_8);
        var pieces = read(bytes, 0, bytes.length, Documents.blocks, (int) BLOCK);
        assertThat(pieces).extracting(PieceReader.Piece::document).doesNotHaveDuplicates().hasSize(20);
    }

    private static List<PieceReader.Piece> read(byte[] bytes, long start, long end, Documents mode, int maxPiece) {
        long from = Math.max(0, start - 2);
        var in = new ByteArrayInputStream(bytes, (int) from, bytes.length - (int) from);
        var pieces = new ArrayList<PieceReader.Piece>();
        try (var reader = new PieceReader(in, 0, start, end, mode, BLOCK, maxPiece)) {
            reader.forEachRemaining(pieces::add);
        }
        return pieces;
    }

    @ParameterizedTest
    @EnumSource(Documents.class)
    void rangesOfAnySizeTogetherReadEveryByteOnceInOrderWithTheDocumentOfAWholeRead(Documents mode) {
        for (long seed = 1; seed <= 6; seed++) {
            byte[] bytes = corpus(seed, 120);
            for (int maxPiece : new int[]{16, 100, 4096}) {
                // Blocks: a line longer than a piece spans blocks piece by piece, so the whole read is the reference.
                long[] expected = mode == Documents.blocks ? documentsOfWholeRead(bytes, maxPiece) : documents(bytes, mode);
                // Ranges of one byte each read on to their line's end: the slowest case, so on two corpora only.
                int[] splits = seed <= 2 ? new int[]{1, 7, 64, 500, bytes.length} : new int[]{7, 64, 500, bytes.length};
                for (int split : splits) {
                    var all = new ByteArrayOutputStream();
                    for (long start = 0; start < bytes.length; start += split) {
                        for (var piece : read(bytes, start, Math.min(bytes.length, start + split), mode, maxPiece)) {
                            assertThat(piece.offset()).as("seed %d split %d piece %d", seed, split, maxPiece)
                                    .isEqualTo(all.size());
                            assertThat(piece.length()).isBetween(1, maxPiece);
                            // One assertion per piece: its document is the one of each of its bytes.
                            int from = (int) piece.offset();
                            long[] documents = new long[piece.length()];
                            Arrays.fill(documents, piece.document());
                            assertThat(documents).as("documents of bytes %d to %d", from, from + piece.length() - 1)
                                    .isEqualTo(Arrays.copyOfRange(expected, from, from + piece.length()));
                            all.write(piece.bytes(), 0, piece.length());
                        }
                    }
                    assertThat(all.toByteArray()).as("seed %d split %d piece %d", seed, split, maxPiece).isEqualTo(bytes);
                }
            }
        }
    }

    @Test
    void aLineLongerThanAPieceIsCutBetweenAsciiCharactersNeverInsideACharacterOrCrLf() {
        String line = "ab€\r\n".repeat(2) + "é".repeat(200) + "xy" + "漢".repeat(100) + "\n";
        byte[] bytes = line.getBytes(StandardCharsets.UTF_8);
        for (var piece : read(bytes, 0, bytes.length, Documents.files, 64)) {
            int end = (int) piece.offset() + piece.length();
            if (end < bytes.length) {
                assertThat(bytes[end] & 0xC0).as("cut at %d", end).isNotEqualTo(0x80);
                assertThat(bytes[end - 1] == '\r' && bytes[end] == '\n').isFalse();
            }
            String text = new String(piece.bytes(), 0, piece.length(), StandardCharsets.UTF_8);
            assertThat(text).doesNotContain("\uFFFD");
        }
    }

    @Test
    void piecesEndAtLineEndsWhenLinesFit() {
        byte[] bytes = "one\ntwo\nthree\nfour\n".getBytes(StandardCharsets.UTF_8);
        var pieces = read(bytes, 0, bytes.length, Documents.files, 16);
        assertThat(pieces).extracting(p -> new String(p.bytes(), 0, p.length(), StandardCharsets.UTF_8))
                .containsExactly("one\ntwo\nthree\n", "four\n"); // 14 bytes fit in 16; "four\n" would not
    }
}
