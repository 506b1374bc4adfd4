package dev.lmpipe.text;

import dev.lmpipe.LmpipeException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.charset.StandardCharsets;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class Utf8Test {
    private static final int FFFD = Utf8.REPLACEMENT;

    private static byte[] bytes(int... values) {
        byte[] bytes = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            bytes[i] = (byte) values[i];
        }
        return bytes;
    }

    @Test
    void decodesOneToFourByteSequencesToCodePoints() {
        String text = "aé漢🌊z"; // 1, 2, 3 and 4 bytes
        byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
        assertThat(utf8).hasSize(1 + 2 + 3 + 4 + 1);

        var decoded = Utf8.decode(utf8, "t.txt", InvalidUtf8.fail);

        assertThat(decoded.codePoints()).containsExactly('a', 0xE9, 0x6F22, 0x1F30A, 'z');
        assertThat(decoded.replacedBytes()).isZero();
    }

    @Test
    void decodesBoundaryCodePoints() {
        int[] boundaries = {0x7F, 0x80, 0x7FF, 0x800, 0xD7FF, 0xE000, 0xFFFF, 0x10000, 0x10FFFF};
        String text = new String(boundaries, 0, boundaries.length);
        var decoded = Utf8.decode(text.getBytes(StandardCharsets.UTF_8), "t", InvalidUtf8.fail);
        assertThat(decoded.codePoints()).containsExactly(boundaries);
    }

    static Stream<Arguments> invalidInputs() {
        return Stream.of(
                // name, bytes, code points under replace, replaced count, offset of the first invalid byte
                Arguments.of("lone continuation", bytes('a', 0x80, 'b'), new int[]{'a', FFFD, 'b'}, 1, 1),
                Arguments.of("truncated at end", bytes('a', 0xE6, 0xBC), new int[]{'a', FFFD, FFFD}, 2, 1),
                Arguments.of("overlong", bytes(0xC0, 0xAF, 'x'), new int[]{FFFD, FFFD, 'x'}, 2, 0),
                Arguments.of("encoded surrogate", bytes('a', 'b', 0xED, 0xA0, 0x80), new int[]{'a', 'b', FFFD, FFFD, FFFD}, 3, 2),
                Arguments.of("byte beyond F4", bytes('a', 'b', 'c', 0xF5, 'd'), new int[]{'a', 'b', 'c', FFFD, 'd'}, 1, 3),
                Arguments.of("code point beyond U+10FFFF", bytes(0xF4, 0x90, 0x80, 0x80), new int[]{FFFD, FFFD, FFFD, FFFD}, 4, 0));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidInputs")
    void replacePolicySubstitutesEachInvalidByteAndCountsIt(String name, byte[] input, int[] expected, int replaced, int offset) {
        var decoded = Utf8.decode(input, "corpus/bad.txt", InvalidUtf8.replace);
        assertThat(decoded.codePoints()).containsExactly(expected);
        assertThat(decoded.replacedBytes()).isEqualTo(replaced);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidInputs")
    void failPolicyNamesSourceAndExactByteOffset(String name, byte[] input, int[] expected, int replaced, int offset) {
        assertThatThrownBy(() -> Utf8.decode(input, "corpus/bad.txt", InvalidUtf8.fail))
                .isInstanceOf(LmpipeException.class)
                .hasMessageContaining("corpus/bad.txt")
                .hasMessageContaining("byte offset " + offset + " ")
                .hasMessageContaining(String.format("0x%02X", input[offset] & 0xFF));
    }

    @Test
    void nulByteIsRefusedAsBinaryNamingSourceAndOffsetUnderEitherPolicy() {
        byte[] input = bytes('a', 'b', 'c', 'd', 'e', 0, 'f');
        for (InvalidUtf8 policy : InvalidUtf8.values()) {
            assertThatThrownBy(() -> Utf8.decode(input, "data/image.png", policy))
                    .isInstanceOf(LmpipeException.class)
                    .hasMessageContaining("data/image.png")
                    .hasMessageContaining("binary")
                    .hasMessageContaining("offset 5");
        }
    }
}
