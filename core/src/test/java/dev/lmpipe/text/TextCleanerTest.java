package dev.lmpipe.text;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.charset.StandardCharsets;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

class TextCleanerTest {
    private static final String FFFD = "\uFFFD";
    private static final Cleaning DEFAULT = new Cleaning(Cleaning.Normalization.none, false, Cleaning.LineEndings.lf,
            Cleaning.ControlCharacters.remove);

    private static byte[] bytes(int... values) {
        byte[] bytes = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            bytes[i] = (byte) values[i];
        }
        return bytes;
    }

    private static String clean(Cleaning cleaning, byte[] input, FileStats stats) {
        var cleaned = new TextCleaner(cleaning).clean(input, input.length, 0, stats);
        return new String(cleaned.bytes(), 0, cleaned.length(), StandardCharsets.UTF_8);
    }

    private static String clean(Cleaning cleaning, String input) {
        return clean(cleaning, input.getBytes(StandardCharsets.UTF_8), new FileStats());
    }

    /** Random mixes of ASCII, controls, CR LF, BOMs, 2-4 byte characters and invalid bytes, for every setting. */
    @Test
    void bytePathGivesTheSameTextCountsAndStatsAsTheCodePointPath() {
        var random = new java.util.Random(5);
        String[] atoms = {"a", "Z", " ", "\t", "\n", "\r", "\r\n", "\u0000", "\u0007", "\u007f", "\u0085", "\uFEFF",
                "é", "É", "Σ", "ﬁ", "漢", "🌊", "\uFFFD", "İ"};
        byte[][] invalid = {bytes(0xC3), bytes(0xFF), bytes(0xE2, 0x82), bytes(0xED, 0xA0, 0x80), bytes(0xC0, 0xAF)};
        for (int trial = 0; trial < 400; trial++) {
            var out = new java.io.ByteArrayOutputStream();
            int n = random.nextInt(60);
            for (int k = 0; k < n; k++) {
                if (random.nextInt(8) == 0) {
                    out.writeBytes(invalid[random.nextInt(invalid.length)]);
                } else {
                    out.writeBytes(atoms[random.nextInt(atoms.length)].getBytes(StandardCharsets.UTF_8));
                }
            }
            byte[] input = out.toByteArray();
            long offset = random.nextBoolean() ? 0 : 100;
            for (boolean lowercase : new boolean[]{false, true}) {
                for (var lineEndings : Cleaning.LineEndings.values()) {
                    for (var controls : Cleaning.ControlCharacters.values()) {
                        var cleaning = new Cleaning(Cleaning.Normalization.none, lowercase, lineEndings, controls);
                        var bytePath = new TextCleaner(cleaning);
                        var codePointPath = new TextCleaner(cleaning);
                        var byteStats = new FileStats();
                        var codePointStats = new FileStats();
                        var a = bytePath.clean(input.clone(), input.length, offset, byteStats);
                        String aText = new String(a.bytes(), 0, a.length(), StandardCharsets.UTF_8);
                        var b = codePointPath.cleanByCodePoints(input.clone(), input.length, offset, codePointStats);
                        String bText = new String(b.bytes(), 0, b.length(), StandardCharsets.UTF_8);
                        String what = "trial " + trial + " " + cleaning;
                        assertThat(aText).as(what).isEqualTo(bText);
                        assertThat(a.characters()).as(what).isEqualTo(b.characters());
                        assertThat(bytePath.drain()).as(what).isDeepEqualTo(codePointPath.drain());
                        assertThat(byteStats).as(what).usingRecursiveComparison().isEqualTo(codePointStats);
                    }
                }
            }
        }
    }

    @Test
    void keepsOneToFourByteCharactersAndSurrogatePairsAndCountsCodePoints() {
        String text = "aé漢🌊z\n"; // 1, 2, 3 and 4 bytes; 🌊 is a surrogate pair in Java strings
        var cleaner = new TextCleaner(DEFAULT);
        var stats = new FileStats();
        byte[] input = text.getBytes(StandardCharsets.UTF_8);
        var cleaned = cleaner.clean(input, input.length, 0, stats);
        assertThat(new String(cleaned.bytes(), 0, cleaned.length(), StandardCharsets.UTF_8)).isEqualTo(text);
        assertThat(cleaned.characters()).isEqualTo(6);
        long[] counts = new long[Character.MAX_CODE_POINT + 1];
        cleaner.drainTo(counts);
        assertThat(counts[0x1F30A]).isEqualTo(1);
        assertThat(counts['a']).isEqualTo(1);
        assertThat(stats.characters()).isEqualTo(6);
    }

    static Stream<Arguments> invalidInputs() {
        return Stream.of(
                // name, bytes, cleaned text, replaced count, offset of the first invalid byte
                Arguments.of("lone continuation", bytes('a', 0x80, 'b'), "a" + FFFD + "b", 1, 1),
                Arguments.of("truncated at end", bytes('a', 0xE6, 0xBC), "a" + FFFD + FFFD, 2, 1),
                Arguments.of("overlong", bytes(0xC0, 0xAF, 'x'), FFFD + FFFD + "x", 2, 0),
                Arguments.of("encoded surrogate", bytes('a', 'b', 0xED, 0xA0, 0x80), "ab" + FFFD.repeat(3), 3, 2),
                Arguments.of("byte beyond F4", bytes('a', 'b', 'c', 0xF5, 'd'), "abc" + FFFD + "d", 1, 3),
                Arguments.of("code point beyond U+10FFFF", bytes(0xF4, 0x90, 0x80, 0x80), FFFD.repeat(4), 4, 0));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidInputs")
    void replacesEachInvalidByteCountingItAndTheFirstOffset(String name, byte[] input, String expected, int replaced, int offset) {
        var stats = new FileStats();
        assertThat(clean(DEFAULT, input, stats)).isEqualTo(expected);
        assertThat(stats.invalidBytes()).isEqualTo(replaced);
        assertThat(stats.firstInvalid()).isEqualTo(offset);
        assertThat(stats.rejection(InvalidUtf8.replace, 0.05)).isNull();
        assertThat(stats.rejection(InvalidUtf8.skip, 0.05)).contains("invalid UTF-8").contains("offset " + offset);
    }

    @Test
    void nulBytesAreDroppedAndMarkTheFileBinaryWithTheirOffset() {
        var stats = new FileStats();
        assertThat(clean(DEFAULT, bytes('a', 'b', 'c', 'd', 'e', 0, 'f'), stats)).isEqualTo("abcdef");
        assertThat(stats.rejection(InvalidUtf8.replace, 0.5)).isEqualTo("binary: NUL byte at offset 5");
    }

    @Test
    void aHighShareOfControlCharactersMarksTheFileBinary() {
        var stats = new FileStats();
        clean(DEFAULT, bytes('a', 1, 2, 3, 'b', 'c', 'd', 'e', 'f', 'g'), stats);
        assertThat(stats.controlCharacters()).isEqualTo(3);
        assertThat(stats.rejection(InvalidUtf8.replace, 0.05)).startsWith("binary: 30.0% control characters");
        assertThat(stats.rejection(InvalidUtf8.replace, 0.5)).isNull();
    }

    @Test
    void controlCharactersAreRemovedOrKeptAsConfigured() {
        String text = "a\u0007b\tc\u0085d\u007F\n";
        assertThat(clean(DEFAULT, text)).isEqualTo("ab\tcd\n");
        var keep = new Cleaning(Cleaning.Normalization.none, false, Cleaning.LineEndings.lf, Cleaning.ControlCharacters.keep);
        assertThat(clean(keep, text)).isEqualTo(text);
    }

    @Test
    void crLfAndLoneCrBecomeLfUnlessKept() {
        assertThat(clean(DEFAULT, "a\r\nb\rc\n\r\n")).isEqualTo("a\nb\nc\n\n");
        var keep = new Cleaning(Cleaning.Normalization.none, false, Cleaning.LineEndings.keep, Cleaning.ControlCharacters.remove);
        assertThat(clean(keep, "a\r\nb\rc")).isEqualTo("a\r\nb\rc");
    }

    @Test
    void byteOrderMarkIsDroppedOnlyAtTheStartOfAFile() {
        byte[] withBom = "\uFEFFhello \uFEFF".getBytes(StandardCharsets.UTF_8);
        var cleaner = new TextCleaner(DEFAULT);
        var atStart = cleaner.clean(withBom, withBom.length, 0, new FileStats());
        assertThat(new String(atStart.bytes(), 0, atStart.length(), StandardCharsets.UTF_8)).isEqualTo("hello \uFEFF");
        var later = cleaner.clean(withBom, withBom.length, 100, new FileStats());
        assertThat(new String(later.bytes(), 0, later.length(), StandardCharsets.UTF_8)).isEqualTo("\uFEFFhello \uFEFF");
    }

    @Test
    void nfcComposesCombiningMarksAndNfkcAlsoFoldsCompatibilityCharacters() {
        String nfd = "e\u0301 \uFB01 \u212B"; // e + combining acute, the fi ligature, Angstrom sign
        var none = DEFAULT;
        var nfc = new Cleaning(Cleaning.Normalization.nfc, false, Cleaning.LineEndings.lf, Cleaning.ControlCharacters.remove);
        var nfkc = new Cleaning(Cleaning.Normalization.nfkc, false, Cleaning.LineEndings.lf, Cleaning.ControlCharacters.remove);
        assertThat(clean(none, nfd)).isEqualTo(nfd);
        assertThat(clean(nfc, nfd)).isEqualTo("\u00E9 \uFB01 \u00C5");
        assertThat(clean(nfkc, nfd)).isEqualTo("\u00E9 fi \u00C5");
        assertThat(clean(nfc, nfd).codePoints().toArray()).startsWith(0xE9);
    }

    @Test
    void lowercaseMapsEveryCharacterIncludingNonAscii() {
        var lower = new Cleaning(Cleaning.Normalization.none, true, Cleaning.LineEndings.lf, Cleaning.ControlCharacters.remove);
        assertThat(clean(lower, "Hello ÉCOLE ΣΟΦΙΑ")).isEqualTo("hello école σοφια");
    }

    @Test
    void drainHandsOverTheCountsOnceAndDiscardForgetsThem() {
        var cleaner = new TextCleaner(DEFAULT);
        byte[] a = "aab€".getBytes(StandardCharsets.UTF_8);
        cleaner.clean(a, a.length, 0, new FileStats());
        long[][] table = cleaner.drain();
        assertThat(table[0]).containsExactly('a', 'b', 0x20AC);
        assertThat(table[1]).containsExactly(2, 1, 1);
        cleaner.clean(a, a.length, 0, new FileStats());
        cleaner.discard();
        assertThat(cleaner.drain()[0]).isEmpty();
    }
}
