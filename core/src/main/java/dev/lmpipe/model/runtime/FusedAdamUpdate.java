package dev.lmpipe.model.runtime;

import dev.lmpipe.model.FastAdam;
import dev.lmpipe.model.kernel.AdamArithmetic;
import dev.lmpipe.model.kernel.HostMemory;
import org.deeplearning4j.nn.conf.GradientNormalization;
import org.deeplearning4j.nn.updater.UpdaterBlock;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.AdamUpdater;
import org.nd4j.linalg.learning.regularization.Regularization;
import org.nd4j.linalg.learning.regularization.WeightDecay;

import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * All of DL4J's update of a network's gradient in one pass over its parameters, split across threads, for networks
 * whose every parameter {@link FastAdam} updates with at most AdamW's decay and no per-layer clipping. DL4J does it
 * as a series of ops over the whole network, each a pass over memory, all but Adam's on the main thread while the
 * slices' other threads wait: the global clipping's norm and scaling, the division by the minibatch's size, Adam,
 * then each weight's decay. In a two-thread GPT step that was 4.7% of the main thread's samples outside Adam
 * (bench/serial_time.sh). Here the norm's partial sums and then everything else run on the same ranges of the
 * parameters, on every thread, with the same arithmetic ({@link AdamArithmetic}; {@code FusedAdamUpdateTest}).
 *
 * <p>The clipping norm is the one value computed differently from DL4J's op: a sum in double of chunks of 1,024
 * squares, added in the same order however many threads there are, so a network trains the same on any number.
 */
final class FusedAdamUpdate {
    /** Fewer parameters than this per thread are not worth a thread. */
    private static final int MIN_RANGE = 1 << 16;
    private static final int CHUNK = 1024;

    private final List<Segment> segments;
    private final int length;
    /** Its thread count is a runtime setting ({@code Networks.useThreads}), read at every update. */
    private final FastAdam adam;
    private AdamArithmetic[] arithmetic = new AdamArithmetic[0];
    private final double[] chunkSquares;

    private FusedAdamUpdate(List<Segment> segments, int length, FastAdam adam) {
        this.segments = segments;
        this.length = length;
        this.adam = adam;
        this.chunkSquares = new double[(length + CHUNK - 1) / CHUNK];
    }

    /**
     * The fused update of these blocks (a network's, covering its {@code length} parameters in order), or null
     * where DL4J's own path must run: an updater other than {@link FastAdam}, per-layer clipping, a regularization
     * other than one weight decay, a parameter DL4J does not divide by the minibatch's size, pretraining's blocks,
     * or state that is not flat float memory.
     */
    static FusedAdamUpdate of(List<UpdaterBlock> blocks, long length) {
        var segments = new ArrayList<Segment>();
        FastAdam first = null;
        long covered = 0;
        for (var block : blocks) {
            if (block.isPretrainUpdaterBlock() || !(block.getGradientUpdater() instanceof AdamUpdater updater)
                    || !(updater.getConfig() instanceof FastAdam adam)) {
                return null;
            }
            if (first == null) {
                first = adam;
            } else if (adam.getBeta1() != first.getBeta1() || adam.getBeta2() != first.getBeta2()
                    || adam.getEpsilon() != first.getEpsilon()) {
                return null;
            }
            INDArray m = updater.getState().get(AdamUpdater.M_STATE);
            INDArray v = updater.getState().get(AdamUpdater.V_STATE);
            if (!flat(m) || !flat(v) || m.length() != block.getParamOffsetEnd() - block.getParamOffsetStart()) {
                return null;
            }
            for (var param : block.getLayersAndVariablesInBlock()) {
                var config = param.getLayer().getConfig();
                var normalization = config.getGradientNormalization();
                if (normalization != null && normalization != GradientNormalization.None
                        || !param.getLayer().updaterDivideByMinibatch(param.getParamName())
                        || param.getParamOffsetStart() != covered) {
                    return null;
                }
                WeightDecay decay = null;
                List<Regularization> regularizations = config.getRegularizationByParam(param.getParamName());
                for (var regularization : regularizations == null ? List.<Regularization>of() : regularizations) {
                    if (!(regularization instanceof WeightDecay weightDecay) || decay != null) {
                        return null;
                    }
                    decay = weightDecay;
                }
                segments.add(new Segment(block, updater, adam, param.getParamOffsetStart(), param.getParamOffsetEnd(),
                        decay));
                covered = param.getParamOffsetEnd();
            }
        }
        if (first == null || covered != length) {
            return null;
        }
        return new FusedAdamUpdate(segments, (int) length, first);
    }

    /**
     * Turns the network's summed {@code gradient} into the update DL4J's step subtracts from {@code params}, updating
     * Adam's state: clipped to L2 norm {@code clipLimit} first (0: no limit), divided by {@code divisor}.
     */
    void apply(INDArray gradient, INDArray params, int iteration, int epoch, int divisor, double clipLimit) {
        FloatBuffer gradients = HostMemory.elements(gradient);
        FloatBuffer values = HostMemory.elements(params);
        int threads = Math.max(1, Math.min(adam.getThreads(), length / MIN_RANGE));
        var parts = new MinibatchParts(chunkSquares.length, threads);
        if (arithmetic.length < parts.count()) {
            arithmetic = new AdamArithmetic[parts.count()];
            for (int p = 0; p < arithmetic.length; p++) {
                arithmetic[p] = new AdamArithmetic(adam.getBeta1(), adam.getBeta2(), adam.getEpsilon());
            }
        }
        float clip = 1f;
        if (clipLimit > 0) {
            parts.run(p -> chunkSquares(gradients, parts.from(p), parts.to(p), chunkSquares));
            double norm = Math.sqrt(sum(chunkSquares));
            if (norm > clipLimit) {
                clip = (float) (clipLimit / norm);
            }
        }
        var coefficients = new AdamArithmetic.Coefficients[segments.size()];
        for (int s = 0; s < segments.size(); s++) {
            coefficients[s] = segments.get(s).coefficients(arithmetic[0], clip, divisor, iteration, epoch);
        }
        parts.run(p -> {
            int from = parts.from(p) * CHUNK;
            int to = Math.min(length, parts.to(p) * CHUNK);
            for (int s = 0; s < segments.size(); s++) {
                var segment = segments.get(s);
                int lo = Math.max(from, segment.from);
                int hi = Math.min(to, segment.to);
                if (lo < hi) {
                    segment.update(arithmetic[p], gradients, values, lo, hi, coefficients[s]);
                }
            }
        });
    }

    /**
     * The L2 norm of a flat float array as {@link #apply} computes it for clipping, on the calling thread: the same
     * value, bit for bit, for DL4J's path.
     */
    static double norm(INDArray values) {
        var squares = new double[(int) ((values.length() + CHUNK - 1) / CHUNK)];
        chunkSquares(HostMemory.elements(values), 0, squares.length, squares);
        return Math.sqrt(sum(squares));
    }

    /** squares[c] = the sum of the squares of chunk c of values, for chunks [from, to). */
    private static void chunkSquares(FloatBuffer values, int from, int to, double[] squares) {
        var scratch = new float[CHUNK];
        for (int c = from; c < to; c++) {
            int start = c * CHUNK;
            squares[c] = AdamArithmetic.sumOfSquares(values.slice(start, Math.min(CHUNK, values.capacity() - start)),
                    scratch);
        }
    }

    private static double sum(double[] values) {
        double sum = 0;
        for (double value : values) {
            sum += value;
        }
        return sum;
    }

    private static boolean flat(INDArray array) {
        return array.dataType() == DataType.FLOAT && array.rank() == 1 && array.elementWiseStride() == 1;
    }

    /** One parameter of the network: its range of the network's flat arrays, its block's Adam and its decay. */
    private record Segment(UpdaterBlock block, AdamUpdater updater, FastAdam adam, int from, int to,
                           WeightDecay decay) {
        AdamArithmetic.Coefficients coefficients(AdamArithmetic arithmetic, float clip, int divisor, int iteration,
                                                 int epoch) {
            double learningRate = adam.getLearningRate(iteration, epoch);
            float decayScale = 0;
            if (decay != null) {
                double scale = decay.getCoeff().valueAt(iteration, epoch);
                decayScale = (float) (decay.isApplyLR() ? scale * learningRate : scale);
            }
            return new AdamArithmetic.Coefficients(clip, divisor, arithmetic.stepSize(learningRate, iteration),
                    decayScale);
        }

        /** Updates the network's parameters [lo, hi), which lie in this segment. */
        void update(AdamArithmetic arithmetic, FloatBuffer gradients, FloatBuffer params, int lo, int hi,
                    AdamArithmetic.Coefficients coefficients) {
            int inBlock = lo - block.getParamOffsetStart();
            var m = HostMemory.elements(updater.getState().get(AdamUpdater.M_STATE)).slice(inBlock, hi - lo);
            var v = HostMemory.elements(updater.getState().get(AdamUpdater.V_STATE)).slice(inBlock, hi - lo);
            arithmetic.update(gradients.slice(lo, hi - lo), m, v, params.slice(lo, hi - lo), coefficients);
        }
    }
}
