package dev.lmpipe.model;

import dev.lmpipe.config.Checks;

/**
 * How a network is trained, as far as its DL4J configuration is concerned.
 *
 * @param learningRate Adam's step size
 * @param gradientClip L2 norm limit per layer, in units of the per-character mean loss's gradient (DL4J sums
 *                     the loss over time steps, so the limit applied is {@code gradientClip × seqLen})
 * @param seqLen       window length in characters
 * @param tbptt        truncated back-propagation length; {@code >= seqLen} means full back-propagation
 * @param seed         initialisation seed
 */
public record Optimization(double learningRate, double gradientClip, int seqLen, int tbptt, long seed) {
    public Optimization {
        Checks.positive("learningRate", learningRate);
        Checks.positive("gradientClip", gradientClip);
        Checks.positive("seqLen", seqLen);
        Checks.positive("tbptt", tbptt);
    }
}
