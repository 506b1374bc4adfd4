/**
 * Evaluation: loss summed over every held-out character (never an average of averages), converted to nats
 * and bits per character and perplexity, with the loss of each character; and the report files. Depends on
 * {@code data}, {@code text} and DL4J.
 */
package dev.lmpipe.eval;
