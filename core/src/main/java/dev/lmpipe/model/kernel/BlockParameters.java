package dev.lmpipe.model.kernel;


/**
 * The names of a transformer block's parameters and the width of its MLP, shared by its three implementations: the SameDiff definition
 * ({@code model.TransformerBlock}), the training kernel ({@link TransformerBlockKernel}) and generation
 * ({@code generate.TransformerWindow}). DL4J keys gradients as {@code "<layer>_<param>"} and splits at the last
 * {@code '_'}, so no name holds one (an NPE in {@code BaseMultiLayerUpdater.preApply} otherwise). The names are
 * part of the checkpoint format: the updater state is laid out in their order.
 */
public final class BlockParameters {
    /** The MLP's hidden width, in multiples of the block's width. */
    public static final int MLP_EXPANSION = 4;

    public static final String NORM1_GAIN = "ln1g";
    public static final String NORM1_BIAS = "ln1b";
    public static final String QKV_WEIGHT = "wqkv";
    public static final String QKV_BIAS = "bqkv";
    public static final String ATTENTION_OUT_WEIGHT = "wo";
    public static final String ATTENTION_OUT_BIAS = "bo";
    public static final String NORM2_GAIN = "ln2g";
    public static final String NORM2_BIAS = "ln2b";
    public static final String HIDDEN_WEIGHT = "w1";
    public static final String HIDDEN_BIAS = "b1";
    public static final String MLP_OUT_WEIGHT = "w2";
    public static final String MLP_OUT_BIAS = "b2";

    private BlockParameters() {
    }
}
