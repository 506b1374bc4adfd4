package dev.lmpipe.model;

import dev.lmpipe.config.Checks;

/**
 * How a network is trained, as far as its DL4J configuration is concerned. The learning rate's schedule is not
 * here: the trainer anchors it at every averaging round ({@link Networks#setLearningRate(org.deeplearning4j.nn.multilayer.MultiLayerNetwork, LearningRateSchedule)}).
 *
 * @param learningRate Adam's step size
 * @param gradientClip L2 norm limit, in units of the per-character mean loss's gradient (DL4J sums the loss over time
 *                     steps, so the limit applied is {@code gradientClip × seqLen})
 * @param clipScope    whether the limit holds for each layer's gradient or the whole network's
 * @param weightDecay  AdamW's decoupled weight decay (Loshchilov and Hutter): each step also subtracts
 *                     {@code learningRate × weightDecay × w} from every weight matrix and embedding, not from biases or
 *                     normalisations' gains; 0: none
 * @param seqLen       window length in characters
 * @param tbptt        truncated back-propagation length; {@code >= seqLen} means full back-propagation
 * @param seed         initialisation seed
 */
public record Optimization(double learningRate, double gradientClip, ClipScope clipScope, double weightDecay,
                           int seqLen, int tbptt, long seed) {
    /** Where {@code gradientClip} holds. */
    public enum ClipScope {
        /** DL4J's {@code ClipL2PerLayer}: each layer's gradient on its own. */
        layer,
        /** The whole network's gradient, as PyTorch's {@code clip_grad_norm_} (nanoGPT clips so). */
        global
    }

    public Optimization {
        Checks.positive("learningRate", learningRate);
        Checks.positive("gradientClip", gradientClip);
        Checks.atLeast("weightDecay", weightDecay, 0);
        Checks.positive("seqLen", seqLen);
        Checks.positive("tbptt", tbptt);
        if (clipScope == null) {
            clipScope = ClipScope.layer;
        }
    }

    /** Per-layer clipping, no weight decay. */
    public Optimization(double learningRate, double gradientClip, int seqLen, int tbptt, long seed) {
        this(learningRate, gradientClip, ClipScope.layer, 0, seqLen, tbptt, seed);
    }

    /** For train's output: clipping and weight decay. */
    public String describeRegularization() {
        return String.format("gradient clip %s %s, %s", gradientClip,
                clipScope == ClipScope.layer ? "per layer" : "global",
                weightDecay > 0 ? "decoupled weight decay " + weightDecay : "no weight decay");
    }

    /** The clipping limit on the summed-over-time gradient DL4J computes. */
    double clipLimit() {
        return gradientClip * seqLen;
    }
}
