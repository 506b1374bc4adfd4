package dev.lmpipe.model;

import dev.lmpipe.model.runtime.FastRnnOutputLayer;
import dev.lmpipe.model.runtime.ViewUpdater;

import org.deeplearning4j.nn.conf.BackpropType;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.GradientNormalization;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.distribution.Distribution;
import org.deeplearning4j.nn.conf.distribution.NormalDistribution;
import org.deeplearning4j.nn.conf.distribution.UniformDistribution;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.Convolution1DLayer;
import org.deeplearning4j.nn.conf.layers.DropoutLayer;
import org.deeplearning4j.nn.conf.layers.EmbeddingSequenceLayer;
import org.deeplearning4j.nn.conf.layers.LSTM;
import org.deeplearning4j.nn.conf.layers.RnnOutputLayer;
import org.deeplearning4j.nn.conf.layers.samediff.AbstractSameDiffLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.params.DefaultParamInitializer;
import org.deeplearning4j.nn.params.LSTMParamInitializer;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.regularization.Regularization;
import org.nd4j.linalg.lossfunctions.impl.LossSparseMCXENT;

import java.util.ArrayList;
import java.util.List;

/**
 * Builds DL4J networks: one method per architecture, nothing else. Every network reads token ids of shape
 * [batch, 1, T] and outputs next-token probabilities of shape [batch, vocabulary, T] (NCW).
 */
public final class Networks {
    private Networks() {
    }

    /**
     * Lets each training pass of the layers we write ourselves (LSTM, transformer block, final LayerNorm, output layer)
     * and of the GPT's dropout after its embeddings slice its minibatch across {@code threads} threads
     * ({@link SlicesMinibatches}), and Adam update ranges of the parameters on as many ({@link FastAdam}).
     */
    public static void useThreads(MultiLayerNetwork network, int threads) {
        for (var conf : network.getLayerWiseConfigurations().getConfs()) {
            if (conf.getLayer() instanceof SlicesMinibatches sliced) {
                sliced.setThreads(threads);
            }
            if (conf.getLayer().getIDropout() instanceof SlicesMinibatches sliced) {
                sliced.setThreads(threads);
            }
        }
        forEachAdam(network, adam -> adam.setThreads(threads));
    }

    /**
     * Gives every parameter's Adam the learning rate {@code schedule}, from the next step on. Adam then reads the
     * schedule; its constant rate stays a number (the peak), as JSON needs.
     */
    public static void setLearningRate(MultiLayerNetwork network, LearningRateSchedule schedule) {
        forEachAdam(network, adam -> adam.setLrAndSchedule(schedule.getPeak(), schedule));
    }

    /**
     * Gives every parameter's Adam in {@code network} the learning rate and schedule of the same parameter's Adam in
     * {@code source}: a network a Spark worker kept from an earlier round follows the driver's configuration of this
     * one ({@link #setLearningRate}).
     */
    public static void followLearningRates(MultiLayerNetwork network, MultiLayerConfiguration source) {
        forEachAdam(network, (adam, layer, param) -> {
            if (source.getConf(layer).getLayer().getUpdaterByParam(param) instanceof FastAdam from) {
                adam.setLrAndSchedule(from.getLearningRate(), from.getLearningRateSchedule());
            }
        });
    }

    /** What {@link #forEachAdam} calls for each Adam: with the layer and the parameter it first met it at. */
    private interface AdamVisitor {
        void visit(FastAdam adam, int layer, String param);
    }

    private static void forEachAdam(MultiLayerNetwork network, java.util.function.Consumer<FastAdam> change) {
        forEachAdam(network, (adam, layer, param) -> change.accept(adam));
    }

    /**
     * Each layer's updater configuration, changed in place: the network's updater holds these objects, so it
     * steps with the change without being rebuilt, and Spark's workers get it with the next round's configuration.
     */
    private static void forEachAdam(MultiLayerNetwork network, AdamVisitor visitor) {
        var seen = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<FastAdam, Boolean>());
        var confs = network.getLayerWiseConfigurations().getConfs();
        for (int i = 0; i < confs.size(); i++) {
            var layer = confs.get(i).getLayer();
            for (var param : network.getLayer(i).paramTable().keySet()) {
                if (layer.getUpdaterByParam(param) instanceof FastAdam adam && seen.add(adam)) {
                    visitor.visit(adam, i, param);
                }
            }
        }
    }

    /**
     * Embedding, LSTMs, softmax. Initialised as PyTorch initialises these layers, not with DL4J's Xavier default: the
     * embedding from N(0, 1), the LSTMs' weights from U(±1/√hidden), the output layer's from U(±1/√fan-in). With
     * Xavier's embedding (standard deviation 0.12 here) the LSTM sees a weak input and learns markedly slower per
     * character (bench/archive/RESULTS-2026-11.md, "quality per character"); the biases as PyTorch's too (below).
     */
    static MultiLayerNetwork lstm(LstmSpec spec, int vocabularySize, Optimization optimization) {
        var layers = base(optimization)
                .layer(embedding(vocabularySize, spec.embedding(), new NormalDistribution(0, 1)));
        double bound = 1 / Math.sqrt(spec.hidden());
        for (int i = 0; i < spec.layers(); i++) {
            var lstm = new LSTM.Builder()
                    .nIn(i == 0 ? spec.embedding() : spec.hidden()).nOut(spec.hidden())
                    .weightInit(new UniformDistribution(-bound, bound))
                    .activation(Activation.TANH).dataFormat(RNNFormat.NCW);
            if (i > 0 && spec.dropout() > 0) {
                lstm.dropOut(keep(spec.dropout()));
            }
            // DL4J's LSTM, trained by our faster implementation (FastLstm): same parameters and checkpoints.
            layers.layer(FastLstm.of(lstm.build()));
        }
        layers.layer(output(spec.hidden(), vocabularySize, spec.dropout(), WeightInit.UNIFORM));
        if (optimization.tbptt() < optimization.seqLen()) {
            layers.backpropType(BackpropType.TruncatedBPTT)
                    .tBPTTForwardLength(optimization.tbptt())
                    .tBPTTBackwardLength(optimization.tbptt());
        }
        var network = init(layers, optimization);
        for (int i = 1; i <= spec.layers(); i++) {
            // PyTorch's two biases b_ih + b_hh, each from U(±1/√hidden), where DL4J starts at 0 with a forget-gate
            // bias of 1: that learned 0.06 nats/char worse after 916 steps of the reference (bench/archive/RESULTS-2026-11.md).
            var bias = network.getLayer(i).getParam(LSTMParamInitializer.BIAS_KEY);
            var second = bias.ulike();
            uniform(bias, bound);
            uniform(second, bound);
            bias.addi(second);
        }
        outputBias(network);
        return network;
    }

    /**
     * Bengio et al.'s fixed-context MLP, as causal 1-D convolutions over the embeddings: a kernel of
     * {@code context} characters is exactly "concatenate the last k embeddings, multiply by a matrix", applied
     * at every position of the window at once; the second hidden layer is a kernel of one.
     */
    static MultiLayerNetwork mlp(MlpSpec spec, int vocabularySize, Optimization optimization) {
        var layers = base(optimization).layer(embedding(vocabularySize, spec.embedding(), null));
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
        layers.layer(output(spec.hidden(), vocabularySize, spec.dropout(), WeightInit.XAVIER));
        return init(layers, optimization);
    }

    /**
     * GPT: token and position embeddings, pre-norm blocks, a final LayerNorm, softmax. The blocks are SameDiff
     * layers inside a MultiLayerNetwork, so Spark parameter averaging and ModelSerializer work unchanged.
     * Dropout where nanoGPT has it: a layer after the embeddings' sum ({@link SequenceDropout}), and inside each block (its attention
     * probabilities and residual branches, {@link TransformerBlock}). The blocks' linear maps and the output layer
     * start as PyTorch's nn.Linear, U(±1/√fan-in): GPT-2's N(0, 0.02) with depth-scaled residual projections learned
     * 0.08 nats/char worse after 458 steps of the reference (bench/archive/RESULTS-2026-11.md, "quality per
     * character").
     */
    static MultiLayerNetwork transformer(TransformerSpec spec, int vocabularySize, Optimization optimization) {
        var layers = base(optimization)
                .layer(embedding(vocabularySize, spec.width(), null))
                .layer(new PositionEmbedding(spec.width(), spec.block()));
        addDropout(layers, spec.dropout());
        for (int i = 0; i < spec.layers(); i++) {
            layers.layer(new TransformerBlock(spec.width(), spec.heads(), spec.block(), spec.layers(), spec.dropout()));
        }
        layers.layer(new LayerNorm(spec.width(), spec.block()));
        layers.layer(output(spec.width(), vocabularySize, 0, WeightInit.UNIFORM));
        var network = init(layers, optimization);
        outputBias(network);
        return network;
    }

    /** The output layer's bias from U(±1/√fan-in), as PyTorch's nn.Linear (DL4J starts it at 0). */
    private static void outputBias(MultiLayerNetwork network) {
        var output = network.getOutputLayer();
        uniform(output.getParam(DefaultParamInitializer.BIAS_KEY),
                1 / Math.sqrt(output.getParam(DefaultParamInitializer.WEIGHT_KEY).size(0)));
    }

    /**
     * Fills {@code param} from U(-bound, bound). Nd4j.getRandom() is seeded from the configuration's seed by
     * MultiLayerNetwork.init, so a network is initialised the same way every time.
     */
    static void uniform(INDArray param, double bound) {
        try (var ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            param.assign(Nd4j.rand(param.dataType(), param.shape()).muli(2 * bound).subi(bound));
        }
    }

    private static void addDropout(NeuralNetConfiguration.ListBuilder layers, double dropout) {
        if (dropout > 0) {
            layers.layer(new DropoutLayer.Builder(new SequenceDropout(dropout)).build());
        }
    }

    /** Clipping and weight decay are set per layer by {@link #applyOptimization} once the network is built. */
    private static NeuralNetConfiguration.ListBuilder base(Optimization optimization) {
        return new NeuralNetConfiguration.Builder()
                .seed(optimization.seed())
                .dataType(DataType.FLOAT)
                .weightInit(WeightInit.XAVIER)
                .updater(new FastAdam(optimization.learningRate()))
                .list();
    }

    /** DL4J's per-layer clipping, or none where the network's updater clips globally ({@link FastAdam}). */
    private static GradientNormalization layerClipping(Optimization optimization) {
        return optimization.clipScope() == Optimization.ClipScope.layer ? GradientNormalization.ClipL2PerLayer
                : GradientNormalization.None;
    }

    private static double globalClip(Optimization optimization) {
        return optimization.clipScope() == Optimization.ClipScope.global ? optimization.clipLimit() : 0;
    }

    /**
     * AdamW's decay ({@link DecoupledWeightDecay}). DL4J applies a layer's regularization to the parameters it calls
     * weights, not to its biases: every lmpipe layer declares its matrices and embeddings as weights, its biases and
     * normalisations' gains and biases as biases, so exactly the 2-D parameters decay (as nanoGPT decides,
     * embeddings included: a character vocabulary has no rare rows for the decay to wipe out).
     */
    private static List<Regularization> weightDecay(Optimization optimization) {
        var decay = new ArrayList<Regularization>();
        if (optimization.weightDecay() > 0) {
            decay.add(new DecoupledWeightDecay(optimization.weightDecay()));
        }
        return decay;
    }

    /**
     * Gives a network these settings: learning rate, clipping and weight decay. {@link ModelSpec#build} ends with it,
     * and a checkpoint's network, built with its own run's settings, takes those of the run that resumes or
     * warm-starts from it. Each layer gets its own list of regularizations: DL4J's builder shares one list among all
     * layers and appends to it, so that a global weight decay would be applied once per layer to every layer.
     */
    public static void applyOptimization(MultiLayerNetwork network, Optimization optimization) {
        for (var conf : network.getLayerWiseConfigurations().getConfs()) {
            var layer = conf.getLayer();
            if (layer instanceof BaseLayer base) {
                base.setGradientNormalization(layerClipping(optimization));
                base.setGradientNormalizationThreshold(optimization.clipLimit());
                base.setRegularization(weightDecay(optimization));
            } else if (layer instanceof AbstractSameDiffLayer sameDiff) {
                sameDiff.setGradientNormalization(layerClipping(optimization));
                sameDiff.setGradientNormalizationThreshold(optimization.clipLimit());
                sameDiff.setRegularization(weightDecay(optimization));
            }
        }
        forEachAdam(network, adam -> {
            adam.setLrAndSchedule(optimization.learningRate(), null);
            adam.setGlobalClip(globalClip(optimization));
        });
    }

    // Every recurrent layer names NCW explicitly, or the output layer rejects the labels (docs/design.md).
    /** @param init the weights' distribution, or null for the network's default (Xavier) */
    private static FastEmbeddingSequence embedding(int vocabularySize, int width, Distribution init) {
        var embedding = new EmbeddingSequenceLayer.Builder()
                .nIn(vocabularySize).nOut(width).hasBias(false)
                .outputDataFormat(RNNFormat.NCW);
        if (init != null) {
            embedding.weightInit(init);
        }
        return FastEmbeddingSequence.of(embedding.build());
    }

    /** DL4J's softmax output layer with the sparse cross-entropy, computed by {@link FastRnnOutputLayer}. */
    private static FastRnnOutput output(int width, int vocabularySize, double dropout, WeightInit init) {
        var output = new RnnOutputLayer.Builder(new LossSparseMCXENT())
                .nIn(width).nOut(vocabularySize).weightInit(init)
                .activation(Activation.SOFTMAX).dataFormat(RNNFormat.NCW);
        if (dropout > 0) {
            output.dropOut(keep(dropout));
        }
        return FastRnnOutput.of(output.build());
    }

    /** DL4J's dropOut(p) takes the probability of keeping an activation, not of dropping it. */
    private static double keep(double dropout) {
        return 1.0 - dropout;
    }

    private static MultiLayerNetwork init(NeuralNetConfiguration.ListBuilder layers, Optimization optimization) {
        var network = new MultiLayerNetwork(layers.build());
        network.init();
        applyOptimization(network, optimization);
        ViewUpdater.install(network);
        return network;
    }
}
