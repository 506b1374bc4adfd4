package dev.lmpipe.cli;

import dev.lmpipe.LmpipeException;
import dev.lmpipe.model.kernel.Kernels;
import picocli.CommandLine;

import java.io.PrintWriter;
import picocli.CommandLine.Command;

/** Entry point: {@code lmpipe tokenize|train|evaluate|generate|demo|report|retrain}. */
@Command(name = "lmpipe", mixinStandardHelpOptions = true, versionProvider = Lmpipe.Version.class,
        description = "Character-level language models: Spark tokenization, DL4J training by parameter averaging.",
        subcommands = {TokenizeCommand.class, TrainCommand.class, EvaluateCommand.class, GenerateCommand.class,
                DemoCommand.class, ReportCommand.class, RetrainCommand.class, CommandLine.HelpCommand.class})
public final class Lmpipe {
    /** Exit code of a user error: bad input, bad setting, bad path. */
    public static final int USER_ERROR = 1;

    public static void main(String[] args) {
        System.setOut(new QuietStandardOutput(new java.io.FileOutputStream(java.io.FileDescriptor.out)));
        int status = execute(args);
        if (insideYarnApplicationMaster()) {
            // Spark's ApplicationMaster runs this main in YARN's cluster deploy mode and reports the application's
            // final status when it returns: System.exit would run the shutdown hooks first, and YARN would record
            // every job as failed ("Shutdown hook called before final status was reported", exit code 16). A failed
            // job throws instead, which the ApplicationMaster reports as the application's diagnostics.
            if (status != 0) {
                throw new IllegalStateException("lmpipe " + (args.length > 0 ? args[0] : "")
                        + " failed with exit status " + status + "; its error is in the driver's log");
            }
            return;
        }
        System.exit(status);
    }

    private static boolean insideYarnApplicationMaster() {
        return "cluster".equals(System.getProperty("spark.submit.deployMode"))
                && System.getProperty("spark.master", "").startsWith("yarn");
    }

    public static int execute(String... args) {
        return execute(new PrintWriter(System.err, true), args);
    }

    /** Runs a command line; user errors go to {@code err} as one line. */
    public static int execute(PrintWriter err, String... args) {
        var commandLine = new CommandLine(new Lmpipe()).setErr(err);
        describeSettings(commandLine.getSubcommands().get("tokenize"), dev.lmpipe.data.TokenizeConfig.DEFAULTS);
        describeSettings(commandLine.getSubcommands().get("train"), dev.lmpipe.train.TrainConfig.DEFAULTS);
        describeSettings(commandLine.getSubcommands().get("evaluate"), dev.lmpipe.eval.EvaluateConfig.DEFAULTS);
        describeSettings(commandLine.getSubcommands().get("generate"), dev.lmpipe.generate.GenerateConfig.DEFAULTS);
        describeSettings(commandLine.getSubcommands().get("retrain"), dev.lmpipe.retrain.RetrainConfig.DEFAULTS);
        commandLine.setExecutionExceptionHandler((exception, cmd, parseResult) -> {
            LmpipeException userError = userError(exception);
            if (userError == null) {
                throw exception;
            }
            cmd.getErr().println("lmpipe " + cmd.getCommandName() + ": error: " + userError.getMessage());
            return USER_ERROR;
        });
        try {
            Kernels.selected();
        } catch (IllegalArgumentException e) {
            err.println("lmpipe: error: " + e.getMessage());
            return USER_ERROR;
        }
        return commandLine.execute(args);
    }

    /** Appends every setting with its default to a command's --help, so that help reads like a man page. */
    private static void describeSettings(CommandLine command, Object defaults) {
        var footer = new StringBuilder("%nSettings (for --config files and --set), with their defaults:%n");
        for (String line : dev.lmpipe.config.ConfigLoader.describe(defaults)) {
            footer.append("  ").append(line.replace("%", "%%")).append("%n");
        }
        command.getCommandSpec().usageMessage().footer(footer.toString());
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
