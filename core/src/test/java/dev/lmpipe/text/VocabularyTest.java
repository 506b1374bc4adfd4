package dev.lmpipe.text;

import dev.lmpipe.config.Json;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class VocabularyTest {
    private static final String TEXT = "Café 🌊 漢字\n🌊é";

    private static Vocabulary vocabularyOf(String text) {
        return Vocabulary.build(Corpus.count(text.codePoints().toArray()), 1, 1024);
    }

    @Test
    void encodeDecodeRoundTripsNonBmpTextOneIdPerCodePoint() {
        var vocabulary = vocabularyOf(TEXT);
        int[] codePoints = TEXT.codePoints().toArray();

        int[] ids = vocabulary.encode(codePoints);

        // 🌊 is two UTF-16 chars but one code point, so one id.
        assertThat(ids).hasSize(codePoints.length).hasSize(TEXT.length() - 2);
        assertThat(ids).doesNotContain(Vocabulary.UNK);
        assertThat(vocabulary.decode(ids)).isEqualTo(TEXT);
        assertThat(vocabulary.decode(new int[]{vocabulary.id(0x1F30A)})).isEqualTo("🌊");
        // distinct code points: C a f é ␠ 🌊 漢 字 \n = 9, plus <unk>
        assertThat(vocabulary.size()).isEqualTo(10);
    }

    @Test
    void idsFollowAscendingCodePointOrderAfterUnk() {
        var vocabulary = vocabularyOf("cab");
        assertThat(vocabulary.id('a')).isEqualTo(1);
        assertThat(vocabulary.id('b')).isEqualTo(2);
        assertThat(vocabulary.id('c')).isEqualTo(3);
    }

    @Test
    void codePointsBelowMinCountMapToUnkAndDecodeToReplacementCharacter() {
        var counts = Map.of((int) 'a', 5L, (int) 'b', 2L, 0x1F30A, 1L);
        var vocabulary = Vocabulary.build(counts, 2, 1024);

        assertThat(vocabulary.contains('a')).isTrue();
        assertThat(vocabulary.contains('b')).isTrue();
        assertThat(vocabulary.contains(0x1F30A)).isFalse();
        int[] ids = vocabulary.encode(new int[]{'a', 0x1F30A, 'b'});
        assertThat(ids).containsExactly(1, Vocabulary.UNK, 2);
        assertThat(vocabulary.decode(ids)).isEqualTo("a\uFFFDb");
    }

    @Test
    void codePointsBeyondMaxVocabularyMapToUnk() {
        // maxSize 3 = <unk> + the two most frequent.
        var counts = Map.of((int) 'x', 10L, (int) 'y', 7L, (int) 'z', 3L);
        var vocabulary = Vocabulary.build(counts, 1, 3);

        assertThat(vocabulary.size()).isEqualTo(3);
        assertThat(vocabulary.codePoints()).containsExactly('x', 'y');
        assertThat(vocabulary.id('z')).isEqualTo(Vocabulary.UNK);
        assertThat(vocabulary.decode(vocabulary.encode(new int[]{'z'}))).isEqualTo("\uFFFD");
    }

    @Test
    void tiesAtTheSizeLimitAreBrokenByLowerCodePoint() {
        // All equally frequent: the two lowest code points win, whatever the map's iteration order.
        var counts = Map.of((int) 'q', 4L, (int) 'b', 4L, (int) 'm', 4L, (int) 'a', 4L);
        var vocabulary = Vocabulary.build(counts, 1, 3);
        assertThat(vocabulary.codePoints()).containsExactly('a', 'b');
    }

    @Test
    void jsonRoundTripKeepsEqualityAndFingerprint() throws Exception {
        var vocabulary = vocabularyOf(TEXT);

        var read = Json.read(Json.write(vocabulary), Vocabulary.class);

        assertThat(read).isEqualTo(vocabulary);
        assertThat(read.hashCode()).isEqualTo(vocabulary.hashCode());
        assertThat(read.fingerprint()).isEqualTo(vocabulary.fingerprint());
        assertThat(read.decode(read.encode(TEXT.codePoints().toArray()))).isEqualTo(TEXT);
    }

    @Test
    void fingerprintDiffersForDifferentVocabularies() {
        var abc = new Vocabulary(new int[]{'a', 'b', 'c'});
        var abd = new Vocabulary(new int[]{'a', 'b', 'd'});
        var ab = new Vocabulary(new int[]{'a', 'b'});

        assertThat(abc.fingerprint()).hasSize(64).isNotEqualTo(abd.fingerprint()).isNotEqualTo(ab.fingerprint());
        assertThat(new Vocabulary(new int[]{'c', 'a', 'b'}).fingerprint()).isEqualTo(abc.fingerprint());
    }

    @Test
    void displayNamesNewlineSpaceAndUnk() {
        var vocabulary = new Vocabulary(new int[]{'\n', ' ', 'a', 0x1F30A});

        assertThat(vocabulary.display(Vocabulary.UNK)).isEqualTo("<unk>");
        assertThat(vocabulary.display(vocabulary.id('\n'))).isEqualTo("\\n");
        assertThat(vocabulary.display(vocabulary.id(' '))).isEqualTo("␠");
        assertThat(vocabulary.display(vocabulary.id('a'))).isEqualTo("a");
        assertThat(vocabulary.display(vocabulary.id(0x1F30A))).isEqualTo("🌊");
    }
}
