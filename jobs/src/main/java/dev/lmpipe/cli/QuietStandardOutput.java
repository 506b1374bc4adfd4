package dev.lmpipe.cli;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * Standard output without ND4J 1.0.0-M2.1's debugging lines: {@code SameDiff.createGradFunction} prints
 * "Added differentiated op ..." with {@code System.out.println} for every operation of every SameDiff layer
 * (the transformer), unconditionally, each time a worker builds its network. Installed once by the command
 * line's main method; every other line passes through unchanged.
 */
final class QuietStandardOutput extends PrintStream {
    static final String NOISE = "Added differentiated op ";

    QuietStandardOutput(OutputStream out) {
        super(out, true, StandardCharsets.UTF_8);
    }

    @Override
    public void println(String line) {
        if (line == null || !line.startsWith(NOISE)) {
            super.println(line);
        }
    }
}
