/**
 * Training: the configuration, the training state and checkpoints (written atomically, with the vocabulary
 * and provenance), early stopping, and the metrics log. The Spark loop that drives rounds lives in
 * {@code jobs}; everything it decides with is here. Depends on {@code model}, {@code data}, {@code storage}.
 */
package dev.lmpipe.train;
