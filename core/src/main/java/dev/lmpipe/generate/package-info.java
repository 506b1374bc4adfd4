/**
 * Generation: sampling the next character from a model's distribution ({@link dev.lmpipe.generate.Sampler})
 * and stepping a recurrent model one character at a time with its state carried
 * ({@link dev.lmpipe.generate.Generator}). Depends on {@code text} and DL4J.
 */
package dev.lmpipe.generate;
