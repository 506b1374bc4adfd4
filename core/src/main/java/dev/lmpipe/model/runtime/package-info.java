/**
 * The DL4J runtime of lmpipe's fast path: the layers that DL4J instantiates from the configurations in
 * {@code model} ({@code Fast*Layer}; {@link dev.lmpipe.model.runtime.FastSameDiffLayer} for the GPT's SameDiff
 * layers, falling back to their graph where the fast path does not apply), the updater that hands Adam the
 * parameter views themselves ({@link dev.lmpipe.model.runtime.ViewUpdater}), the slicing of a minibatch across
 * threads ({@link dev.lmpipe.model.runtime.MinibatchParts}) and DL4J M2.1's workarounds
 * ({@link dev.lmpipe.model.runtime.CorrectedSameDiffLayer}). Nothing here is written into a checkpoint. Depends on
 * DL4J, {@code model}'s configurations and {@code model.kernel}.
 */
package dev.lmpipe.model.runtime;
