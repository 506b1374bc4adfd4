package dev.lmpipe.model;

import dev.lmpipe.config.Checks;
import dev.lmpipe.config.InvalidSetting;
import dev.lmpipe.model.kernel.Kernels;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;

import java.util.List;
import java.util.OptionalInt;

/**
 * A GPT-style causal transformer: token embedding + learned position embedding, {@code layers} pre-norm
 * blocks (LayerNorm → causal multi-head self-attention → residual; LayerNorm → GELU MLP of 4 × width →
 * residual), final LayerNorm, softmax over the vocabulary. It reads windows of exactly {@code block} characters.
 *
 * @param dropout probability of dropping a value where nanoGPT drops: the embeddings' sum, each block's attention
 *                probabilities and each residual branch's output (the attention's projection, the MLP's output)
 */
public record TransformerSpec(int width, int layers, int heads, int block, double dropout) implements ModelSpec {
    public TransformerSpec {
        Checks.positive("model.embedding", width);
        Checks.positive("model.layers", layers);
        Checks.positive("model.heads", heads);
        Checks.positive("model.block", block);
        Checks.within("model.dropout", dropout, 0.0, 1.0);
        if (width % heads != 0) {
            throw new InvalidSetting("model.embedding", "must be a multiple of model.heads (" + heads + "), got " + width,
                    List.of("model.heads"));
        }
    }

    @Override
    public MultiLayerNetwork build(int vocabularySize, Optimization optimization) {
        checkSeqLen(optimization.seqLen());
        return Networks.transformer(this, vocabularySize, optimization);
    }

    /** The blocks' dropout runs in lmpipe's CPU kernels only ({@link TransformerBlock#DROPOUT_NEEDS_KERNELS}). */
    @Override
    public void checkTrainable() {
        if (dropout > 0 && !Kernels.onHost()) {
            throw new InvalidSetting("model.dropout", "is " + dropout + ": " + TransformerBlock.DROPOUT_NEEDS_KERNELS);
        }
    }

    /** Its attention mask and position embedding are built for exactly {@code block} positions. */
    @Override
    public void checkSeqLen(int seqLen) {
        if (seqLen != block) {
            throw new InvalidSetting("seqLen", "must equal model.block: a transformer reads windows of exactly model.block"
                    + " characters; set seqLen = " + block + ", got " + seqLen, List.of("model.block"));
        }
    }

    @Override
    public OptionalInt window() {
        return OptionalInt.of(block);
    }
}
