package dev.lmpipe.cli;

import dev.lmpipe.config.ConfigLoader;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Options every job shares: its configuration file and {@code --set} overrides. */
final class JobOptions {
    @Option(names = {"-c", "--config"}, paramLabel = "FILE",
            description = "Configuration file of key = value lines (see conf/). Settings not in it keep their defaults.")
    Path config;

    @Option(names = "--set", paramLabel = "KEY=VALUE",
            description = "Override one setting, e.g. --set model.hidden=128 (repeatable; applied after --config).")
    List<String> overrides = new ArrayList<>();

    /** Loads the configuration; {@code explicit} are options of the command itself, applied last. */
    <T> T load(Class<T> type, T defaults, List<String> explicit) {
        var all = new ArrayList<>(overrides);
        all.addAll(explicit);
        return ConfigLoader.load(type, defaults, config, all);
    }
}
