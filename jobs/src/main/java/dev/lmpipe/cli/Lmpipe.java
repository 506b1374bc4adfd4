package dev.lmpipe.cli;

import dev.lmpipe.LmpipeException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point: {@code lmpipe tokenize|train|evaluate|generate|demo}. */
@Command(name = "lmpipe", mixinStandardHelpOptions = true, versionProvider = Lmpipe.Version.class,
        description = "Character-level language models: Spark tokenization, DL4J training by parameter averaging.",
        subcommands = {TokenizeCommand.class, TrainCommand.class, EvaluateCommand.class, GenerateCommand.class,
                DemoCommand.class, CommandLine.HelpCommand.class})
public final class Lmpipe {
    /** Exit code of a user error: bad input, bad setting, bad path. */
    public static final int USER_ERROR = 1;

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    public static int execute(String... args) {
        var commandLine = new CommandLine(new Lmpipe());
        commandLine.setExecutionExceptionHandler((exception, cmd, parseResult) -> {
            LmpipeException userError = userError(exception);
            if (userError == null) {
                throw exception;
            }
            cmd.getErr().println("lmpipe " + cmd.getCommandName() + ": error: " + userError.getMessage());
            return USER_ERROR;
        });
        return commandLine.execute(args);
    }

    /** The user error behind an exception, also when Spark wrapped it in a task failure. */
    static LmpipeException userError(Throwable exception) {
        for (Throwable t = exception; t != null; t = t.getCause()) {
            if (t instanceof LmpipeException e) {
                return e;
            }
        }
        return null;
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return dev.lmpipe.Provenance.versions().entrySet().stream()
                    .map(e -> e.getKey() + " " + e.getValue()).toArray(String[]::new);
        }
    }
}
