package dev.lmpipe.generate;

import dev.lmpipe.LmpipeException;
import dev.lmpipe.text.Vocabulary;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;

/**
 * Generates text from a model: the prompt is read whole, then one character at a time is chosen (sampled, or
 * by beam search) and fed back with the model's state carried, never re-running a window.
 */
public final class Generator {
    private static final Logger LOG = LoggerFactory.getLogger(Generator.class);

    private final LanguageModel<?> model;
    private final Vocabulary vocabulary;

    /**
     * @param window empty for a recurrent network (its state is carried), else the fixed window of characters
     *               the network reads ({@code ModelSpec.window()})
     */
    public Generator(MultiLayerNetwork network, Vocabulary vocabulary, OptionalInt window) {
        this.model = model(network, window);
        this.vocabulary = vocabulary;
    }

    private static LanguageModel<?> model(MultiLayerNetwork network, OptionalInt window) {
        if (window.isPresent()) {
            return new WindowedModel(network, window.getAsInt());
        }
        // The character LSTM is stepped without DL4J; other recurrent networks through rnnTimeStep.
        var stepper = LstmStepper.of(network);
        return stepper.isPresent() ? stepper.get() : new RecurrentModel(network);
    }

    /** A generator for a recurrent network. */
    public Generator(MultiLayerNetwork network, Vocabulary vocabulary) {
        this(network, vocabulary, OptionalInt.empty());
    }

    /** Generated text and the model's log-probability of it, in nats. */
    public record Generation(String text, int characters, double logProbability) {
        /** Mean log-probability per generated character, nats. */
        public double meanLogProbability() {
            return characters == 0 ? 0 : logProbability / characters;
        }
    }

    /** Token ids of a prompt; characters outside the vocabulary become {@code <unk>} or fail, per policy. */
    public int[] encodePrompt(String prompt, UnknownCharacters policy) {
        String text = prompt.isEmpty() ? "\n" : prompt;
        int[] codePoints = text.codePoints().toArray();
        var unknown = new ArrayList<String>();
        for (int cp : codePoints) {
            if (!vocabulary.contains(cp)) {
                unknown.add(String.format("'%s' (U+%04X)", new String(Character.toChars(cp)), cp));
            }
        }
        if (!unknown.isEmpty()) {
            String message = "prompt characters outside the model's vocabulary: " + String.join(", ", unknown);
            if (policy == UnknownCharacters.fail) {
                throw new LmpipeException(message + "; remove them or set unknown = unk");
            }
            LOG.warn("{}; they are read as <unk>", message);
        }
        return vocabulary.encode(codePoints);
    }

    /** Samples up to {@code maxChars} characters, stopping after {@code stopAt} if it is not empty. */
    public Generation sample(int[] prompt, int maxChars, Sampler sampler, String stopAt) {
        return sample(model, prompt, maxChars, sampler, stopAt);
    }

    private <S extends LanguageModel.State> Generation sample(LanguageModel<S> model, int[] prompt, int maxChars,
                                                              Sampler sampler, String stopAt) {
        S state = model.start(prompt);
        int[] ids = new int[maxChars];
        double logProbability = 0;
        int produced = 0;
        while (produced < maxChars) {
            int id = sampler.next(state.next());
            logProbability += Math.log(state.next()[id]);
            ids[produced++] = id;
            // Decoded whole each time: a BPE token may complete a character that an earlier one began.
            if (!stopAt.isEmpty() && vocabulary.decode(java.util.Arrays.copyOf(ids, produced)).endsWith(stopAt)) {
                break;
            }
            if (produced < maxChars) {
                state = model.advance(state, id);
            }
        }
        return new Generation(vocabulary.decode(java.util.Arrays.copyOf(ids, produced)), produced, logProbability);
    }

    /** Generates {@code length} characters by sampling; returns only the generated part. */
    public String generate(int[] prompt, int length, Sampler sampler) {
        return sample(prompt, length, sampler, "").text();
    }

    /** The {@code count} best continuations by beam search, best first. */
    public List<Generation> beam(int[] prompt, int maxChars, BeamSearch search, int count, String stopAt) {
        var results = new ArrayList<Generation>();
        for (var hypothesis : search.search(model, prompt, maxChars, count,
                tokens -> !stopAt.isEmpty() && vocabulary.decode(tokens).endsWith(stopAt))) {
            results.add(new Generation(vocabulary.decode(hypothesis.tokens()), hypothesis.tokens().length,
                    hypothesis.logProbability()));
        }
        return results;
    }

    /** The model's next-character distribution after a sequence, computed from scratch. */
    public float[] distributionAfter(int[] ids) {
        return model.start(ids).next();
    }
}
