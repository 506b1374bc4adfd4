/**
 * Models: what each architecture is ({@link dev.lmpipe.model.ModelSpec}: {@link dev.lmpipe.model.LstmSpec},
 * {@link dev.lmpipe.model.TransformerSpec}, {@link dev.lmpipe.model.MlpSpec}, chosen by
 * {@link dev.lmpipe.model.ModelConfig}), the one class that builds DL4J networks from it
 * ({@link dev.lmpipe.model.Networks}), and the DL4J layer and updater configurations those networks are made of.
 * No I/O here. Depends on DL4J, {@code config} and its two sub-packages.
 *
 * <p>Every model runs one of two ways, computing the same function with the same parameters and checkpoints:
 * DL4J's own layers or the SameDiff graph of our GPT layers (the reference a reader should read first, and what
 * runs in double precision or on a GPU), or lmpipe's <em>fast</em> path, Java and OpenBLAS written for float
 * networks on the CPU, which is what trains and generates on CPUs. {@link dev.lmpipe.model.kernel.Kernels} decides
 * which runs (a GPU backend, or {@code -Dlmpipe.kernels=dl4j} on the CPU, takes DL4J's). Where each lives, and the
 * test that holds the paths equal:
 * <table>
 *   <caption>Where each model is defined, trained and generated</caption>
 *   <tr><th>Model</th><th>Definition (reference)</th><th>Training on the CPU</th><th>Generation</th><th>Held equal by</th></tr>
 *   <tr><td>LSTM</td><td>DL4J's {@code LSTM}, configured by {@link dev.lmpipe.model.FastLstm}</td>
 *       <td>{@code runtime.FastLstmLayer}</td><td>{@code generate.LstmStepper}</td>
 *       <td>{@code FastLstmTest}, {@code LstmStepperTest}</td></tr>
 *   <tr><td>GPT block</td><td>{@link dev.lmpipe.model.TransformerBlock#defineLayer} (SameDiff)</td>
 *       <td>{@code runtime.FastTransformerBlockLayer} over {@code kernel.TransformerBlockKernel}</td>
 *       <td>{@code generate.TransformerWindow}</td>
 *       <td>{@code FastSameDiffLayersTest}, {@code TransformerWindowTest}</td></tr>
 *   <tr><td>GPT position embedding, final LayerNorm</td><td>{@link dev.lmpipe.model.PositionEmbedding},
 *       {@link dev.lmpipe.model.LayerNorm} (SameDiff)</td>
 *       <td>{@code runtime.FastPositionEmbeddingLayer}, {@code runtime.FastLayerNormLayer}</td>
 *       <td>{@code generate.TransformerWindow}</td><td>{@code FastSameDiffLayersTest}, {@code TransformerWindowTest}</td></tr>
 *   <tr><td>GPT dropout of the embeddings' sum</td><td>DL4J's {@code DropoutLayer} and {@code Dropout}</td>
 *       <td>{@link dev.lmpipe.model.SequenceDropout} in the same {@code DropoutLayer}</td><td>- (drops nothing)</td>
 *       <td>{@code SequenceDropoutTest}</td></tr>
 *   <tr><td>Embedding, softmax output</td><td>DL4J's {@code EmbeddingSequenceLayer}, {@code RnnOutputLayer},
 *       configured by {@link dev.lmpipe.model.FastEmbeddingSequence}, {@link dev.lmpipe.model.FastRnnOutput}</td>
 *       <td>{@code runtime.FastEmbeddingSequenceLayer}, {@code runtime.FastRnnOutputLayer}</td>
 *       <td>DL4J's forward pass, or the steppers above</td>
 *       <td>{@code FastEmbeddingSequenceTest}, {@code FastRnnOutputTest}</td></tr>
 *   <tr><td>MLP</td><td>DL4J's causal {@code Convolution1DLayer}s ({@link dev.lmpipe.model.Networks})</td>
 *       <td>DL4J</td><td>DL4J's forward pass over a window</td><td>{@code MlpTest} (causality and what it learns: one path only)</td></tr>
 *   <tr><td>Adam</td><td>DL4J's {@code Adam}, configured by {@link dev.lmpipe.model.FastAdam}</td>
 *       <td>{@code runtime.FusedAdamUpdate} (clipping, Adam and decay in one pass on every thread) where every
 *       parameter allows, else {@code FastAdam}'s updater on several threads; {@code runtime.ViewUpdater}</td>
 *       <td>-</td>
 *       <td>{@code FastAdamTest}, {@code ViewUpdaterTest}, {@code FusedAdamUpdateTest},
 *       {@code AdamArithmeticTest}</td></tr>
 * </table>
 *
 * <p>The configuration classes here are named in every checkpoint's {@code model.zip} (Jackson writes their class
 * names): they keep their names and this package, and the golden fixtures ({@code GoldenFormatTest}) prove that
 * checkpoints of every kind still load and predict as they did.
 */
package dev.lmpipe.model;
