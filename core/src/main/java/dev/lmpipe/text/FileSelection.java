package dev.lmpipe.text;

import dev.lmpipe.LmpipeException;

import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.List;
import java.util.regex.PatternSyntaxException;

/**
 * Which files a folder given as input contributes to a corpus: those whose path relative to the folder matches
 * at least one {@code include} glob and no {@code exclude} glob. A pattern without {@code /} matches the file's
 * name at any depth ({@code *.c} takes {@code drivers/net/foo.c}); a pattern with {@code /} matches the whole
 * relative path, with {@code java.nio} glob semantics: {@code *} stays within a folder, {@code **} crosses
 * folders ({@code drivers/**.c} takes every {@code .c} file under {@code drivers}; a pattern that starts with
 * {@code **} and a slash needs at least one folder there, so it misses files at the top). Patterns match files,
 * never folders; matching is case-sensitive.
 */
public final class FileSelection {
    private final List<String> include;
    private final List<String> exclude;
    private final List<Glob> includeGlobs;
    private final List<Glob> excludeGlobs;

    /** Fails on a pattern that is not a glob, naming the setting ({@code include} or {@code exclude}) and the pattern. */
    public FileSelection(List<String> include, List<String> exclude) {
        this.include = List.copyOf(include);
        this.exclude = List.copyOf(exclude);
        if (this.include.isEmpty()) {
            throw new LmpipeException("include must give at least one pattern, such as *.txt (or * for every file), got none");
        }
        this.includeGlobs = this.include.stream().map(pattern -> Glob.of("include", pattern)).toList();
        this.excludeGlobs = this.exclude.stream().map(pattern -> Glob.of("exclude", pattern)).toList();
    }

    /** Whether to read the file at {@code relativePath} ({@code /}-separated, relative to the input folder). */
    public boolean selects(String relativePath) {
        Path path = Path.of(relativePath);
        return includeGlobs.stream().anyMatch(glob -> glob.matches(path))
                && excludeGlobs.stream().noneMatch(glob -> glob.matches(path));
    }

    /** The patterns in force, for messages: {@code include = *.txt, *.gz} and, if any, {@code exclude = ...}. */
    public String describe() {
        return "include = " + String.join(", ", include)
                + (exclude.isEmpty() ? "" : ", exclude = " + String.join(", ", exclude));
    }

    /** One compiled pattern; {@code byName}: it has no {@code /}, so it is matched against the file name alone. */
    private record Glob(PathMatcher matcher, boolean byName) {
        static Glob of(String setting, String pattern) {
            try {
                return new Glob(FileSystems.getDefault().getPathMatcher("glob:" + pattern), !pattern.contains("/"));
            } catch (PatternSyntaxException e) {
                // The JDK's message spans three lines (pattern and a caret); the CLI prints one.
                throw new LmpipeException("invalid " + setting + " pattern '" + pattern + "': " + e.getDescription()
                        + " at character " + (e.getIndex() + 1) + bracesHint(pattern));
            }
        }

        /** Settings lists are split at commas, so a brace group with a comma arrives cut in two. */
        private static String bracesHint(String pattern) {
            return pattern.contains("{") && !pattern.contains("}")
                    ? "; lists are comma-separated, so give *.{c,h} as two patterns: *.c, *.h" : "";
        }

        boolean matches(Path relativePath) {
            Path subject = byName ? relativePath.getFileName() : relativePath;
            return subject != null && matcher.matches(subject);
        }
    }
}
