package dev.lmpipe.text;

import java.io.Serializable;
import java.text.Normalizer;

/**
 * How tokenize cleans text before it counts and encodes it.
 *
 * @param normalization     Unicode normalisation form applied to each piece, or none
 * @param lowercase         map every character to lower case (per code point, locale-independent)
 * @param lineEndings       {@code lf}: CR LF and a lone CR become LF; {@code keep}: leave them
 * @param controlCharacters {@code remove} or {@code keep} control characters other than tab, LF and CR
 */
public record Cleaning(Normalization normalization, boolean lowercase, LineEndings lineEndings,
                       ControlCharacters controlCharacters) implements Serializable {
    public static final Cleaning NONE = new Cleaning(Normalization.none, false, LineEndings.keep, ControlCharacters.keep);

    // The default of every setting, one per line (NamedDefaultsTest holds DEFAULTS to these names).
    private static final Normalization NORMALIZATION = Normalization.none;
    private static final boolean LOWERCASE = false;
    private static final LineEndings LINE_ENDINGS = LineEndings.lf;   // CR LF and a lone CR become LF
    private static final ControlCharacters CONTROL_CHARACTERS = ControlCharacters.remove;

    /** What {@code tokenize} cleans by default. */
    public static final Cleaning DEFAULTS = new Cleaning(NORMALIZATION, LOWERCASE, LINE_ENDINGS, CONTROL_CHARACTERS);

    public enum Normalization {
        none(null), nfc(Normalizer.Form.NFC), nfkc(Normalizer.Form.NFKC);

        final Normalizer.Form form;

        Normalization(Normalizer.Form form) {
            this.form = form;
        }
    }

    public enum LineEndings { lf, keep }

    public enum ControlCharacters { remove, keep }
}
