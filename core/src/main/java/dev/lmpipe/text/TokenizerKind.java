package dev.lmpipe.text;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Which tokenizer a dataset is encoded with ({@code tokenizer = char | bpe}). */
public enum TokenizerKind {
    /** One token per Unicode code point, rare ones mapped to {@code <unk>}. */
    @JsonProperty("char") character,
    /** Byte-level byte pair encoding: any input round-trips, no {@code <unk>}. */
    @JsonProperty("bpe") bpe
}
