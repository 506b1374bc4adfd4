package dev.lmpipe.train;

import dev.lmpipe.config.Checks;

/**
 * The {@code averaging.*} settings of a training configuration: what the driver makes of the workers' average
 * after each round of parameter averaging.
 *
 * @param outer             {@code plain}: the average becomes the parameters (DL4J's parameter averaging);
 *                          {@code nesterov}: the change from the round's starting parameters to the average is a
 *                          pseudo-gradient for an outer SGD step with Nesterov momentum (DiLoCo, Douillard et al.
 *                          2023), which recovers what averaging loses against one worker on the workers' minibatches
 *                          together (bench/RESULTS.md); {@code auto}: nesterov with two or more workers, plain with
 *                          one (where there is nothing to average)
 * @param outerLearningRate the outer step's size: 1 with no momentum is plain averaging
 * @param outerMomentum     the outer step's Nesterov momentum, in [0, 1)
 */
public record AveragingConfig(OuterOptimizer.Kind outer, double outerLearningRate, double outerMomentum) {
    private static final OuterOptimizer.Kind OUTER = OuterOptimizer.Kind.auto;    // nesterov when workers average
    // DiLoCo's 0.7 and 0.9 are for rounds of hundreds of steps; over rounds of 10 they ended 0.020 nats/char
    // further behind one worker than these (W = 4, 3 M characters of tinyshakespeare: bench/RESULTS.md).
    private static final double OUTER_LEARNING_RATE = 1.0;
    private static final double OUTER_MOMENTUM = 0.5;

    public static final AveragingConfig DEFAULTS = new AveragingConfig(OUTER, OUTER_LEARNING_RATE, OUTER_MOMENTUM);

    public AveragingConfig {
        if (outer == null) {
            outer = OUTER;
        }
        Checks.positive("outerLearningRate", outerLearningRate);
        Checks.within("outerMomentum", outerMomentum, 0, 1);
    }

    /** These settings for a run of {@code workers} workers: {@code auto} resolved. */
    public AveragingConfig forWorkers(int workers) {
        if (outer != OuterOptimizer.Kind.auto) {
            return this;
        }
        var kind = workers > 1 ? OuterOptimizer.Kind.nesterov : OuterOptimizer.Kind.plain;
        return new AveragingConfig(kind, outerLearningRate, outerMomentum);
    }

    /** For train's first line: what happens after each round. */
    public String describe() {
        return outer == OuterOptimizer.Kind.auto ? "outer step auto"
                : outer == OuterOptimizer.Kind.plain ? "plain averaging"
                : String.format("Nesterov outer step (learning rate %s, momentum %s)", outerLearningRate, outerMomentum);
    }
}
