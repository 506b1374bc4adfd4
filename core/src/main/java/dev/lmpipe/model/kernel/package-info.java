/**
 * CPU kernels shared by training and generation: a transformer block's forward and backward pass
 * ({@link dev.lmpipe.model.kernel.TransformerBlockKernel}), LayerNorm over rows
 * ({@link dev.lmpipe.model.kernel.RowNorm}), the causal softmax, the sigmoid, the reductions they share, and views
 * of ND4J's off-heap memory as Java buffers ({@link dev.lmpipe.model.kernel.HostMemory}), and the choice between these
 * kernels and DL4J's own layers ({@link dev.lmpipe.model.kernel.Kernels}). Float arithmetic with
 * OpenBLAS and ND4J arrays only: no DL4J class and nothing else of lmpipe ({@code ArchitectureTest}), so that
 * {@code generate} and the runtime layers can both use them.
 */
package dev.lmpipe.model.kernel;
