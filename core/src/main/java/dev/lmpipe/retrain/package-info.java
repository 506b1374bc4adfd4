/**
 * Scheduled retraining: a model home with its champion, a decision record per run, and the rule that promotes a
 * challenger only when it is better on the same held-out text by a set margin.
 */
package dev.lmpipe.retrain;
