/**
 * Reports: the run history (metrics.jsonl, rounds.jsonl), PNG charts drawn with XChart, and the
 * self-contained HTML page of one run or of several runs side by side. Depends on {@code eval}, {@code train},
 * {@code storage}; no Spark, no DL4J.
 */
package dev.lmpipe.report;
