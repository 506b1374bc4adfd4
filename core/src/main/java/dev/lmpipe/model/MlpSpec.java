package dev.lmpipe.model;

import dev.lmpipe.config.Checks;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;

import java.util.OptionalInt;

/**
 * The fixed-context MLP of Bengio et al. (2003): the {@code context} previous characters → their
 * concatenated embeddings → two hidden ReLU layers of {@code hidden} units → softmax. A cheap baseline.
 *
 * @param block  characters per forward pass when generating (at least {@code context})
 */
public record MlpSpec(int embedding, int context, int hidden, double dropout, int block) implements ModelSpec {
    public MlpSpec {
        Checks.positive("model.embedding", embedding);
        Checks.positive("model.context", context);
        Checks.positive("model.hidden", hidden);
        Checks.within("model.dropout", dropout, 0.0, 1.0);
        Checks.atLeast("model.block", block, context);
    }

    @Override
    public MultiLayerNetwork build(int vocabularySize, Optimization optimization) {
        return Networks.mlp(this, vocabularySize, optimization);
    }

    @Override
    public OptionalInt window() {
        return OptionalInt.of(block);
    }

    @Override
    public boolean slicesMinibatches() {
        return false;
    }
}
