package dev.lmpipe.model.runtime;

import dev.lmpipe.model.kernel.Kernels;
import dev.lmpipe.model.FastEmbeddingSequence;
import dev.lmpipe.model.kernel.HostMemory;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.feedforward.embedding.EmbeddingSequenceLayer;
import org.deeplearning4j.nn.params.DefaultParamInitializer;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.nio.FloatBuffer;

/**
 * The embedding of {@link FastEmbeddingSequence}: DL4J's forward pass (a lookup of rows), and a backward pass that
 * reads the output's gradient as rows [B·T, d] (copied once where it does not lie so) and adds each row into its
 * token's row of the table's gradient in a Java loop. Float networks on ND4J's CPU backend in NCW, identity
 * activation, without bias, masks, dropout or weight noise take this path; anything else is DL4J's. Not thread-safe,
 * like every DL4J layer.
 */
public class FastEmbeddingSequenceLayer extends EmbeddingSequenceLayer {
    /** The output gradient's rows [B, T, d] where it is not handed over as rows, reused while its shape holds. */
    private INDArray gradientRows;

    public FastEmbeddingSequenceLayer(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
        if (!fast(epsilon)) {
            return super.backpropGradient(epsilon, workspaceMgr);
        }
        assertInputSet(true);
        int examples = (int) epsilon.size(0);
        int width = (int) epsilon.size(1);
        int steps = (int) epsilon.size(2);
        int vocabulary = (int) layerConf().getNIn();
        // The layer above hands its gradient over as a view of rows, read where it lies; anything else is copied.
        INDArray rowsView = HostMemory.rowsView(epsilon);
        if (rowsView == null) {
            if (gradientRows == null || gradientRows.size(0) != examples || gradientRows.size(1) != steps
                    || gradientRows.size(2) != width) {
                try (var ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
                    gradientRows = Nd4j.create(DataType.FLOAT, examples, steps, width);
                }
            }
            gradientRows.assign(epsilon.permute(0, 2, 1));
            rowsView = gradientRows;
        }
        float[] ids = input.dup('c').data().asFloat();
        FloatBuffer rows = HostMemory.elements(rowsView);
        float[] table = new float[vocabulary * width];
        float[] row = new float[width];
        for (int r = 0; r < ids.length; r++) {
            int id = (int) ids[r];
            if (id < 0 || id >= vocabulary) {
                throw new IllegalArgumentException("token id " + ids[r] + " at example " + r / steps + ", step "
                        + r % steps + " is not in [0, " + vocabulary + ") " + layerId());
            }
            rows.get(r * width, row);
            int at = id * width;
            for (int j = 0; j < width; j++) {
                table[at + j] += row[j];
            }
        }
        var weightGradient = gradientViews.get(DefaultParamInitializer.WEIGHT_KEY);
        try (var ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            weightGradient.assign(Nd4j.create(table, new long[] {vocabulary, width}, 'c'));
        }
        Gradient gradient = new DefaultGradient();
        gradient.gradientForVariable().put(DefaultParamInitializer.WEIGHT_KEY, weightGradient);
        return new Pair<>(gradient, null);
    }

    private boolean fast(INDArray epsilon) {
        var conf = layerConf();
        return Kernels.onHost() && input != null && input.dataType() == DataType.FLOAT
                && (input.rank() == 3 && input.size(1) == 1 || input.rank() == 2)
                && input.size(0) == epsilon.size(0) && input.size(input.rank() - 1) == epsilon.size(2)
                && epsilon.rank() == 3 && epsilon.dataType() == DataType.FLOAT && dataType == DataType.FLOAT
                && maskArray == null && conf.getOutputFormat() == RNNFormat.NCW && !conf.hasBias()
                && conf.getActivationFn() instanceof ActivationIdentity
                && conf.getIDropout() == null && conf.getWeightNoise() == null;
    }
}
