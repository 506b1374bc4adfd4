/**
 * Configuration: one immutable record per job, read from a {@code key = value} file in {@code conf/} with
 * {@code --set key=value} overrides. Unknown keys and invalid values are rejected with a message naming the
 * key, the value and the file. Depends only on Jackson and {@code LmpipeException}.
 */
package dev.lmpipe.config;
