package dev.lmpipe.model;

import org.deeplearning4j.nn.conf.BackpropType;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.GradientNormalization;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.layers.Convolution1DLayer;
import org.deeplearning4j.nn.conf.layers.DropoutLayer;
import org.deeplearning4j.nn.conf.layers.EmbeddingSequenceLayer;
import org.deeplearning4j.nn.conf.layers.LSTM;
import org.deeplearning4j.nn.conf.layers.RnnOutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.impl.LossSparseMCXENT;

/**
 * Builds DL4J networks: one method per architecture, nothing else. Every network reads token ids of shape
 * [batch, 1, T] and outputs next-token probabilities of shape [batch, vocabulary, T] (NCW).
 */
public final class Networks {
    private Networks() {
    }

    /**
     * Lets each training pass of the layers we write ourselves (LSTM, transformer block) slice its minibatch across
     * {@code threads} threads. A runtime setting kept in the layers' configuration, so that it reaches Spark's workers
     * with the network; it changes no result beyond float rounding and is not part of the model.
     */
    public static void useThreads(MultiLayerNetwork network, int threads) {
        for (var conf : network.getLayerWiseConfigurations().getConfs()) {
            if (conf.getLayer() instanceof FastLstm lstm) {
                lstm.setThreads(threads);
            } else if (conf.getLayer() instanceof TransformerBlock block) {
                block.setThreads(threads);
            }
        }
    }

    static MultiLayerNetwork lstm(LstmSpec spec, int vocabularySize, Optimization optimization) {
        var layers = base(optimization).layer(embedding(vocabularySize, spec.embedding()));
        for (int i = 0; i < spec.layers(); i++) {
            var lstm = new LSTM.Builder()
                    .nIn(i == 0 ? spec.embedding() : spec.hidden()).nOut(spec.hidden())
                    .activation(Activation.TANH).dataFormat(RNNFormat.NCW);
            if (i > 0 && spec.dropout() > 0) {
                lstm.dropOut(keep(spec.dropout()));
            }
            // DL4J's LSTM, trained by our faster implementation (FastLstm): same parameters and checkpoints.
            layers.layer(FastLstm.of(lstm.build()));
        }
        layers.layer(output(spec.hidden(), vocabularySize, spec.dropout()));
        if (optimization.tbptt() < optimization.seqLen()) {
            layers.backpropType(BackpropType.TruncatedBPTT)
                    .tBPTTForwardLength(optimization.tbptt())
                    .tBPTTBackwardLength(optimization.tbptt());
        }
        return init(layers);
    }

    /**
     * Bengio et al.'s fixed-context MLP, as causal 1-D convolutions over the embeddings: a kernel of
     * {@code context} characters is exactly "concatenate the last k embeddings, multiply by a matrix", applied
     * at every position of the window at once; the second hidden layer is a kernel of one.
     */
    static MultiLayerNetwork mlp(MlpSpec spec, int vocabularySize, Optimization optimization) {
        var layers = base(optimization).layer(embedding(vocabularySize, spec.embedding()));
        for (int i = 0; i < 2; i++) {
            var hidden = new Convolution1DLayer.Builder()
                    .kernelSize(i == 0 ? spec.context() : 1)
                    .nIn(i == 0 ? spec.embedding() : spec.hidden()).nOut(spec.hidden())
                    .convolutionMode(ConvolutionMode.Causal).rnnDataFormat(RNNFormat.NCW)
                    .activation(Activation.RELU);
            if (i > 0 && spec.dropout() > 0) {
                hidden.dropOut(keep(spec.dropout()));
            }
            layers.layer(hidden.build());
        }
        layers.layer(output(spec.hidden(), vocabularySize, spec.dropout()));
        return init(layers);
    }

    /**
     * GPT: token and position embeddings, pre-norm blocks, a final LayerNorm, softmax. The blocks are SameDiff
     * layers inside a MultiLayerNetwork, so Spark parameter averaging and ModelSerializer work unchanged.
     * SameDiff layers apply no dropout in DL4J M2.1: dropout is a separate layer after the embeddings' sum and
     * after every block.
     */
    static MultiLayerNetwork transformer(TransformerSpec spec, int vocabularySize, Optimization optimization) {
        var layers = base(optimization)
                .layer(embedding(vocabularySize, spec.width()))
                .layer(new PositionEmbedding(spec.width(), spec.block()));
        addDropout(layers, spec.dropout());
        for (int i = 0; i < spec.layers(); i++) {
            layers.layer(new TransformerBlock(spec.width(), spec.heads(), spec.block(), spec.layers()));
            addDropout(layers, spec.dropout());
        }
        layers.layer(new LayerNorm(spec.width(), spec.block()));
        layers.layer(output(spec.width(), vocabularySize, 0));
        return init(layers);
    }

    private static void addDropout(NeuralNetConfiguration.ListBuilder layers, double dropout) {
        if (dropout > 0) {
            layers.layer(new DropoutLayer.Builder(keep(dropout)).build());
        }
    }

    private static NeuralNetConfiguration.ListBuilder base(Optimization optimization) {
        return new NeuralNetConfiguration.Builder()
                .seed(optimization.seed())
                .dataType(DataType.FLOAT)
                .weightInit(WeightInit.XAVIER)
                .updater(new Adam(optimization.learningRate()))
                // DL4J sums the loss over time steps, so the gradient is seqLen times the per-character one.
                .gradientNormalization(GradientNormalization.ClipL2PerLayer)
                .gradientNormalizationThreshold(optimization.gradientClip() * optimization.seqLen())
                .list();
    }

    // Every recurrent layer names NCW explicitly, or the output layer rejects the labels (DESIGN.md).
    private static EmbeddingSequenceLayer embedding(int vocabularySize, int width) {
        return new EmbeddingSequenceLayer.Builder()
                .nIn(vocabularySize).nOut(width).hasBias(false)
                .outputDataFormat(RNNFormat.NCW).build();
    }

    private static RnnOutputLayer output(int width, int vocabularySize, double dropout) {
        var output = new RnnOutputLayer.Builder(new LossSparseMCXENT())
                .nIn(width).nOut(vocabularySize)
                .activation(Activation.SOFTMAX).dataFormat(RNNFormat.NCW);
        if (dropout > 0) {
            output.dropOut(keep(dropout));
        }
        return output.build();
    }

    /** DL4J's dropOut(p) takes the probability of keeping an activation, not of dropping it. */
    private static double keep(double dropout) {
        return 1.0 - dropout;
    }

    private static MultiLayerNetwork init(NeuralNetConfiguration.ListBuilder layers) {
        var network = new MultiLayerNetwork(layers.build());
        network.init();
        return network;
    }
}
