package dev.lmpipe.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;

/**
 * One run of lmpipe's command line in this JVM: its exit code, what it printed on standard output (summaries,
 * generated text), and its error stream, where a user error is one line.
 */
record CommandRun(int exitCode, String output, String error) {
    static CommandRun of(String... args) {
        var err = new StringWriter();
        var out = new ByteArrayOutputStream();
        PrintStream standardOutput = System.out;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            int code = Lmpipe.execute(new PrintWriter(err, true), args);
            return new CommandRun(code, out.toString(StandardCharsets.UTF_8), err.toString());
        } finally {
            System.setOut(standardOutput);
        }
    }
}
