package dev.lmpipe.text;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

class WordsTest {
    private static List<String> words(String text) {
        return Words.split(text).stream().map(b -> new String(b, StandardCharsets.UTF_8)).toList();
    }

    @Test
    void lettersDigitsAndPunctuationTakeOneLeadingSpaceAndLineFeedsStandAlone() {
        assertThat(words("Hello, world 42!\n\n  two  spaces\tx"))
                .containsExactly("Hello", ",", " world", " 42", "!", "\n", "\n", " ", " two", " ", " spaces", "\t", "x");
    }

    @Test
    void combiningMarksStayWithTheirLetters() {
        assertThat(words("cafe\u0301 naïve")).containsExactly("cafe\u0301", " naïve");
    }

    @Test
    void wordsConcatenateToTheInputEvenForRandomBytes() {
        var random = new Random(3);
        for (int length : new int[]{0, 1, 5, 100, 5000}) {
            byte[] bytes = new byte[length];
            random.nextBytes(bytes);
            var joined = new ByteArrayOutputStream();
            Words.split(bytes).forEach(joined::writeBytes);
            assertThat(joined.toByteArray()).isEqualTo(bytes);
        }
    }

    @Test
    void splittingPiecesCutAfterLineFeedsGivesTheSameWordsAsSplittingTheWhole() {
        String text = "First line, with words.\n  indented 123\n\n\tTab\n🌊 end";
        var pieces = new ArrayList<String>();
        for (String piece : text.split("(?<=\n)")) {
            pieces.addAll(words(piece));
        }
        assertThat(pieces).isEqualTo(words(text));
    }
}
