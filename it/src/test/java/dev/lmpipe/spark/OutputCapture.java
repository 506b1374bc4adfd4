package dev.lmpipe.spark;

import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.Appender;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.FileAppender;
import org.apache.logging.log4j.core.config.Configurator;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.layout.PatternLayout;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;

/**
 * What a run in this JVM prints, kept for a test to search: System.out and System.err copied to memory (they
 * still reach the console), and every log4j event also written to a file, since the shipped configuration logs to
 * the console alone, through an appender that holds the stream it was given before this began. Closing restores
 * both as they were.
 */
final class OutputCapture implements AutoCloseable {
    private final ByteArrayOutputStream console = new ByteArrayOutputStream();
    private final PrintStream stdout = System.out;
    private final PrintStream stderr = System.err;
    private final FileAppender logFile;
    private final Level rootLevel;
    private final Map<String, Appender> consoles;

    OutputCapture(Path logFile) {
        System.setOut(new PrintStream(new Tee(stdout, console), true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(new Tee(stderr, console), true, StandardCharsets.UTF_8));

        var configuration = context().getConfiguration();
        this.logFile = FileAppender.newBuilder().setName(OutputCapture.class.getSimpleName())
                .withFileName(logFile.toString()).setConfiguration(configuration)
                .setLayout(PatternLayout.newBuilder().withConfiguration(configuration)
                        .withPattern("%d %-5p %c: %m%n%throwable").build()).build();
        this.logFile.start();
        configuration.addAppender(this.logFile);
        LoggerConfig root = configuration.getRootLogger();
        rootLevel = root.getLevel();
        // The console keeps to the root's level as it is: with the root at INFO, Spark would flood the build's output.
        consoles = Map.copyOf(root.getAppenders());
        consoles.forEach((name, appender) -> {
            root.removeAppender(name);
            root.addAppender(appender, rootLevel, null);
        });
        // The loggers that the configuration names pass their events on to the root's appenders (additivity).
        root.addAppender(this.logFile, null, null);
        context().updateLoggers();
    }

    private static LoggerContext context() {
        return (LoggerContext) LogManager.getContext(false);
    }

    /** The root logger at INFO (Spark's context sets it to WARN when it starts): more for the log file to hold. */
    void logInfo() {
        Configurator.setRootLevel(Level.INFO);
    }

    /** System.out and System.err so far, interleaved as printed. */
    byte[] console() {
        return console.toByteArray();
    }

    @Override
    public void close() {
        LoggerConfig root = context().getConfiguration().getRootLogger();
        root.removeAppender(logFile.getName());
        consoles.forEach((name, appender) -> {
            root.removeAppender(name);
            root.addAppender(appender, null, null);
        });
        Configurator.setRootLevel(rootLevel);
        context().updateLoggers();
        logFile.stop();
        System.setOut(stdout);
        System.setErr(stderr);
    }

    /** Writes to the console as before, and a copy to memory. */
    private static final class Tee extends OutputStream {
        private final OutputStream console;
        private final ByteArrayOutputStream copy;

        Tee(OutputStream console, ByteArrayOutputStream copy) {
            this.console = console;
            this.copy = copy;
        }

        @Override
        public void write(int b) throws IOException {
            copy.write(b);
            console.write(b);
        }

        @Override
        public void write(byte[] bytes, int offset, int length) throws IOException {
            copy.write(bytes, offset, length);
            console.write(bytes, offset, length);
        }

        @Override
        public void flush() throws IOException {
            console.flush();
        }
    }
}
