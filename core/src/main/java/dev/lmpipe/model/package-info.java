/**
 * Models: the specification of each architecture ({@link dev.lmpipe.model.ModelSpec}) and the one place that
 * builds DL4J networks from it ({@link dev.lmpipe.model.Networks}). No I/O here. Depends on DL4J and
 * {@code config}.
 */
package dev.lmpipe.model;
