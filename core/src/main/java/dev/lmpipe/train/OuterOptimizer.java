package dev.lmpipe.train;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The driver's optimizer around parameter averaging. Each of W workers fits its own minibatches from the round's
 * starting parameters, and the driver averages the results; the average alone is one round of steps on a W-times
 * batch, which loses quality per character as W grows. The outer optimizer treats {@code Δ = start − average} as a
 * pseudo-gradient instead and, with Nesterov momentum (PyTorch's SGD with {@code nesterov=True}, as DiLoCo uses it),
 * steps
 * <pre>
 *   v ← μ·v + Δ
 *   θ ← start − η·(Δ + μ·v)
 * </pre>
 * {@code plain} leaves the average as it is. The momentum {@code v}, one float per parameter, is the optimizer's
 * state: checkpoints carry it, and a resume restores it. The inner optimizer's (Adam's) state is averaged over the
 * workers as DL4J averages it: docs/design.md says why.
 */
public final class OuterOptimizer {
    /** The settings' {@code averaging.outer}; {@code auto} is resolved by {@link AveragingConfig#forWorkers}. */
    public enum Kind {
        auto, plain, nesterov
    }

    private final AveragingConfig config;
    private INDArray momentum;

    /**
     * @param config   the settings, {@code auto} resolved
     * @param momentum the state a checkpoint saved ({@link #momentum()}), or null to start with none
     */
    public OuterOptimizer(AveragingConfig config, float[] momentum) {
        if (config.outer() == Kind.auto) {
            throw new IllegalArgumentException("averaging.outer = auto must be resolved for the run's workers first");
        }
        this.config = config;
        this.momentum = momentum == null ? null : Nd4j.createFromArray(momentum);
    }

    /** Plain averaging: the workers' average is the round's result. */
    public static OuterOptimizer plain() {
        return new OuterOptimizer(AveragingConfig.DEFAULTS.forWorkers(1), null);
    }

    /** Whether the step changes the workers' average at all: with {@code plain} the round needs no starting copy. */
    public boolean stepsFromAverage() {
        return config.outer() != Kind.plain;
    }

    /**
     * One outer step after a round.
     *
     * @param start      the parameters the round started from
     * @param parameters the workers' average on entry; the outer step's result on return (written in place, so that
     *                   a network's parameter view stays the network's)
     */
    public void step(INDArray start, INDArray parameters) {
        if (!stepsFromAverage()) {
            return;
        }
        if (momentum != null && momentum.length() != parameters.length()) {
            throw new IllegalArgumentException("the outer momentum has " + momentum.length() + " values for "
                    + parameters.length() + " parameters");
        }
        float mu = (float) config.outerMomentum();
        INDArray delta = start.sub(parameters).reshape(parameters.length());
        if (momentum == null) {
            momentum = Nd4j.zerosLike(delta);
        }
        momentum.muli(mu).addi(delta);
        delta.addi(momentum.mul(mu)).muli((float) config.outerLearningRate());
        parameters.assign(start.sub(delta.reshape(parameters.shape())));
    }

    /** The momentum, one float per parameter in the network's order, or null before the first step. */
    public float[] momentum() {
        return momentum == null ? null : momentum.toFloatVector();
    }
}
