package dev.lmpipe.model.runtime;

import dev.lmpipe.model.TransformerBlock;
import dev.lmpipe.model.kernel.DropoutMasks;
import dev.lmpipe.model.kernel.TransformerBlockKernel;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.nd4j.linalg.api.buffer.DataType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Map;

/**
 * The runtime layer of {@link TransformerBlock}: {@link TransformerBlockKernel} where {@link FastSameDiffLayer} can.
 * With {@link TransformerBlock#getThreads()} above one, the minibatch's examples are cut into slices, each with a
 * kernel of its own on its own thread ({@link MinibatchParts}); the slices' parameter gradients are summed
 * ({@link SliceGradients}).
 */
public final class FastTransformerBlockLayer extends FastSameDiffLayer {
    private TransformerBlockKernel[] kernels;
    private MinibatchParts slices;

    private FastTransformerBlockLayer(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    public static FastTransformerBlockLayer create(NeuralNetConfiguration conf, int layerIndex, INDArray paramsView,
                                            boolean initializeParams, DataType dataType) {
        return setUp(new FastTransformerBlockLayer(conf, dataType), conf, layerIndex, paramsView, initializeParams);
    }

    /** The block's dropout runs in {@link TransformerBlockKernel} only; TransformerSpec refuses it elsewhere first. */
    @Override
    public INDArray activate(boolean training, LayerWorkspaceMgr workspaceMgr) {
        double dropout = ((TransformerBlock) layerConf()).getDropout();
        if (training && dropout > 0 && !fast()) {
            throw new IllegalStateException("model.dropout = " + dropout + ": "
                    + TransformerBlock.DROPOUT_NEEDS_KERNELS);
        }
        return super.activate(training, workspaceMgr);
    }

    @Override
    void forward(INDArray outputRows, boolean training) {
        long[] shape = input.shape();
        var block = (TransformerBlock) layerConf();
        var wanted = new MinibatchParts((int) shape[0], block.getThreads());
        if (kernels == null || slices.examples() != shape[0] || slices.count() != wanted.count()
                || !kernels[0].fits(new long[] {slices.size(0), shape[1], shape[2]})) {
            slices = wanted;
            try (var ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
                kernels = new TransformerBlockKernel[slices.count()];
                for (int p = 0; p < kernels.length; p++) {
                    kernels[p] = new TransformerBlockKernel(slices.size(p), block.getBlock(), block.getWidth(),
                            block.getHeads());
                }
            }
        }
        // One seed per pass from ND4J's generator, which Spark's workers seed per step: reproducible runs.
        var dropout = training && block.getDropout() > 0
                ? new DropoutMasks((float) block.getDropout(), Nd4j.getRandom().nextLong()) : null;
        slices.run(p -> kernels[p].forward(slices.of(input, p), slices.of(outputRows, p), paramTable, dropout,
                slices.from(p)));
    }

    @Override
    Map<String, INDArray> backward(INDArray outputGradient, INDArray inputGradientRows) {
        @SuppressWarnings("unchecked")
        Map<String, INDArray>[] gradients = new Map[kernels.length];
        slices.run(p -> gradients[p] = kernels[p].backward(slices.of(outputGradient, p),
                slices.of(inputGradientRows, p), paramTable).parameterGradients);
        if (kernels.length == 1) {
            return gradients[0];
        }
        // The slices' sums go straight into the gradient views, each parameter's elements shared out among the threads.
        slices.run(p -> {
            for (var name : gradients[0].keySet()) {
                INDArray[] parts = new INDArray[kernels.length];
                for (int q = 0; q < parts.length; q++) {
                    parts[q] = gradients[q].get(name);
                }
                SliceGradients.sum(gradTable.get(name), parts, p, kernels.length);
            }
        });
        return gradTable;
    }

}
