package dev.lmpipe.cli;

import dev.lmpipe.data.TokenizeConfig;
import dev.lmpipe.spark.SparkContexts;
import dev.lmpipe.spark.TokenizeJob;
import dev.lmpipe.storage.Storage;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "tokenize", mixinStandardHelpOptions = true,
        description = {"Read text files, clean them, split documents into train/validation/test, build the vocabulary"
                + " (characters or byte-level BPE, or reuse one) and write shards.",
                "Output: a dataset directory with manifest.json, *.shard files and _SUCCESS, visible only when complete."
                + " Binary files, files with invalid UTF-8 (with invalidUtf8 = skip) and inputs that cannot be read"
                + " (corrupt or truncated .gz and .bz2, read errors, dangling links; with corrupt = skip, the default) are"
                + " left out and named."})
final class TokenizeCommand implements Callable<Integer> {
    @Mixin
    JobOptions job;
    @Mixin
    SparkOptions spark;

    @Parameters(paramLabel = "INPUT", arity = "0..*",
            description = "Files, folders or globs; overrides the 'input' setting. A folder contributes, recursively, the"
                    + " files that --include and --exclude select (default: *.txt, *.gz and *.bz2); a file named"
                    + " here is read whatever its name.")
    List<String> inputs = List.of();

    @Option(names = "--include", paramLabel = "PATTERN",
            description = "Read the files in INPUT folders that match this glob (repeatable; overrides the 'include'"
                    + " setting): without '/' it matches the name at any depth (*.c), with '/' the path relative to"
                    + " the folder (drivers/**.c).")
    List<String> include = List.of();

    @Option(names = "--exclude", paramLabel = "PATTERN",
            description = "Leave out the files in INPUT folders that match this glob, even if included (repeatable;"
                    + " overrides the 'exclude' setting).")
    List<String> exclude = List.of();

    @Option(names = {"-o", "--output"}, paramLabel = "DIR", description = "Dataset directory to create.")
    String output;

    @Option(names = "--vocab-from", paramLabel = "PATH",
            description = "Encode with the vocabulary of this dataset, checkpoint or run (its latest checkpoint)"
                    + " instead of building one; overrides the 'vocabFrom' setting.")
    String vocabFrom;

    @Option(names = "--overwrite", description = "Replace an existing output directory: only once the new one is complete, except on object stores (s3a),"
            + " where the old one is deleted first.")
    boolean overwrite;

    @Override
    public Integer call() {
        var config = job.load(TokenizeConfig.class, TokenizeConfig.DEFAULTS, new Overrides()
                .put("input", inputs.isEmpty() ? null : String.join(",", inputs))
                .put("include", include.isEmpty() ? null : String.join(",", include))
                .put("exclude", exclude.isEmpty() ? null : String.join(",", exclude))
                .put("output", output).put("vocabFrom", vocabFrom).list()).requireComplete();
        try (var sc = SparkContexts.create("lmpipe tokenize", spark.master)) {
            TokenizeJob.run(sc, SparkContexts.storage(sc), config, overwrite, System.out);
        }
        return 0;
    }
}
