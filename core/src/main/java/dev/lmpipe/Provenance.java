package dev.lmpipe;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/** Library versions and the lmpipe commit, recorded in every checkpoint and report. */
public final class Provenance {
    private Provenance() {
    }

    public static Map<String, String> versions() {
        var versions = new TreeMap<String, String>();
        var build = load("/lmpipe-build.properties");
        build.stringPropertyNames().forEach(key -> versions.put(key, build.getProperty(key)));
        var git = load("/lmpipe-git.properties");
        versions.put("lmpipe.commit", git.getProperty("git.commit.id.abbrev", "unknown")
                + ("true".equals(git.getProperty("git.dirty")) ? "-dirty" : ""));
        versions.put("java.version", System.getProperty("java.version"));
        return versions;
    }

    private static Properties load(String resource) {
        var properties = new Properties();
        try (InputStream in = Provenance.class.getResourceAsStream(resource)) {
            if (in != null) {
                properties.load(in);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return properties;
    }
}
