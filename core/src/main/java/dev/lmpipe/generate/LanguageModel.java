package dev.lmpipe.generate;

/**
 * What generation needs from a model: the distribution of the next token after a prompt, and after one more
 * token. States are immutable values, so beam search can branch from any of them. The LSTM implements it by
 * carrying its recurrent state ({@link RecurrentModel}); a windowed model would carry its context.
 *
 * @param <S> the model's state after a sequence of tokens
 */
public interface LanguageModel<S extends LanguageModel.State> {
    /** The state after reading the prompt (at least one token). */
    S start(int[] prompt);

    /** The state after reading one more token. */
    S advance(S state, int token);

    /** A state with the distribution over the next token. */
    interface State {
        /** Probabilities of the next token, indexed by token id; sums to 1. */
        float[] next();
    }
}
