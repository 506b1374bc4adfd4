/**
 * lmpipe's core: everything that is not Spark. Tokenizers and vocabulary, the shard format, minibatch
 * assembly, model builders, training state, evaluation arithmetic, sampling and storage. Never imports Spark
 * (enforced by maven-enforcer and {@code ArchitectureTest}).
 */
package dev.lmpipe;
