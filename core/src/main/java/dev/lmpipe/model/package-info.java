/**
 * Models: the specification of each architecture ({@link dev.lmpipe.model.ModelSpec}: LSTM, transformer,
 * MLP), the one place that builds DL4J networks from it ({@link dev.lmpipe.model.Networks}), and the custom
 * SameDiff layers the transformer needs (position embedding, block, LayerNorm, and the gradient correction for
 * DL4J M2.1's SameDiff layers). No I/O here. Depends on DL4J and {@code config}.
 */
package dev.lmpipe.model;
