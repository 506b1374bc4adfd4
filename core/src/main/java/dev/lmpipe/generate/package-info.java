/**
 * Generation: sampling the next character from a model's distribution ({@link dev.lmpipe.generate.Sampler})
 * and stepping a model one character at a time with its state carried ({@link dev.lmpipe.generate.Generator}):
 * the LSTM and the GPT by steppers of their own ({@link dev.lmpipe.generate.LstmStepper},
 * {@link dev.lmpipe.generate.TransformerWindow}), other networks through DL4J; beam search over any of them.
 * Depends on {@code config}, {@code text}, {@code model} (the layer configurations it reads), {@code model.kernel}
 * and DL4J.
 */
package dev.lmpipe.generate;
