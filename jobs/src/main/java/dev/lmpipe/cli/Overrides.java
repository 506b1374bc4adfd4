package dev.lmpipe.cli;

import java.util.ArrayList;
import java.util.List;

/** Turns a command's own options into {@code key=value} overrides. */
final class Overrides {
    private final List<String> settings = new ArrayList<>();

    Overrides put(String key, Object value) {
        if (value != null) {
            settings.add(key + "=" + value);
        }
        return this;
    }

    /** Text to be taken as written, outer spaces included (ConfigLoader strips them from unquoted values). */
    static String verbatim(String text) {
        return text == null ? null : "\"" + text + "\"";
    }

    List<String> list() {
        return settings;
    }
}
