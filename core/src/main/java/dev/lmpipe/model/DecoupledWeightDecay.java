package dev.lmpipe.model;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.regularization.WeightDecay;
import org.nd4j.linalg.schedule.FixedSchedule;
import org.nd4j.linalg.schedule.ISchedule;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/**
 * AdamW's weight decay (Loshchilov and Hutter): after Adam's step, {@code learningRate × coefficient × w} more off
 * each weight, as DL4J's {@link WeightDecay} with {@code applyLR} computes it. It is a rule of the optimizer, not a
 * term of the loss: DL4J's class adds {@code coefficient / 2 × ‖w‖²} to every minibatch's score, which lmpipe prints
 * as the training loss, so this one adds nothing.
 */
public class DecoupledWeightDecay extends WeightDecay {
    public DecoupledWeightDecay(double coefficient) {
        super(new FixedSchedule(coefficient), true);
    }

    /** For Jackson. */
    public DecoupledWeightDecay(@JsonProperty("coeff") ISchedule coeff, @JsonProperty("applyLR") boolean applyLR) {
        super(coeff, applyLR);
    }

    @Override
    public double score(INDArray param, int iteration, int epoch) {
        return 0;
    }

    @Override
    public DecoupledWeightDecay clone() {
        return new DecoupledWeightDecay(coeff.clone(), applyLR);
    }
}
