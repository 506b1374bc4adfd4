package dev.lmpipe.generate;

/** What to do with a prompt character that the model's vocabulary lacks. */
public enum UnknownCharacters {
    /** Map it to {@code <unk>} and warn. */
    unk,
    /** Refuse the prompt, naming the character. */
    fail
}
