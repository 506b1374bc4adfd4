package dev.lmpipe.generate;

import dev.lmpipe.LmpipeException;
import dev.lmpipe.text.Vocabulary;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;


/**
 * Generates text from a recurrent model: primes it with the whole prompt in one {@code rnnTimeStep} call,
 * then feeds back one sampled character at a time with the recurrent state carried, never re-running a
 * window.
 */
public final class Generator {
    private static final Logger LOG = LoggerFactory.getLogger(Generator.class);

    private final MultiLayerNetwork network;
    private final Vocabulary vocabulary;

    public Generator(MultiLayerNetwork network, Vocabulary vocabulary) {
        this.network = network;
        this.vocabulary = vocabulary;
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

    /** Generates {@code length} characters after the prompt; returns only the generated part. */
    public String generate(int[] prompt, int length, Sampler sampler) {
        network.rnnClearPreviousState();
        float[] next = lastStep(network.rnnTimeStep(sequence(prompt)));
        var generated = new StringBuilder();
        for (int i = 0; i < length; i++) {
            int id = sampler.next(next);
            generated.appendCodePoint(vocabulary.codePoint(id));
            next = lastStep(network.rnnTimeStep(sequence(new int[]{id})));
        }
        network.rnnClearPreviousState();
        return generated.toString();
    }

    /** The model's next-character distribution after a sequence, computed from scratch (for tests). */
    public float[] distributionAfter(int[] ids) {
        network.rnnClearPreviousState();
        float[] result = lastStep(network.rnnTimeStep(sequence(ids)));
        network.rnnClearPreviousState();
        return result;
    }

    private static INDArray sequence(int[] ids) {
        float[] values = new float[ids.length];
        for (int i = 0; i < ids.length; i++) {
            values[i] = ids[i];
        }
        return Nd4j.create(values, new long[]{1, 1, ids.length}, 'c');
    }

    /** The distribution at the last time step of an output of shape [1, vocabulary, steps]. */
    private static float[] lastStep(INDArray output) {
        long steps = output.size(2);
        return output.get(org.nd4j.linalg.indexing.NDArrayIndex.point(0),
                org.nd4j.linalg.indexing.NDArrayIndex.all(),
                org.nd4j.linalg.indexing.NDArrayIndex.point(steps - 1)).dup().toFloatVector();
    }

}
