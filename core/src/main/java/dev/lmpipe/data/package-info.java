/**
 * Data: the dataset an lmpipe {@code tokenize} run commits and {@code train} reads. The shard format
 * ({@link dev.lmpipe.data.Shards}), the {@link dev.lmpipe.data.Manifest}, the deterministic split of text
 * blocks into train/validation/test, and the plan that turns shards into minibatches of windows. Depends on
 * {@code text}, {@code storage}, and ND4J for the {@code DataSet} it builds.
 */
package dev.lmpipe.data;
