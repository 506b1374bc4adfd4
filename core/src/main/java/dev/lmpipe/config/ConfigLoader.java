package dev.lmpipe.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lmpipe.LmpipeException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * Reads a job's configuration record: the record's defaults, then a file of {@code key = value} lines
 * ({@code #} comments, dotted keys for nested records, comma-separated lists), then {@code --set}
 * overrides. A key that the record does not have, or a value of the wrong type, is rejected naming where it
 * came from; the record's own constructor then checks ranges, and a value it refuses ({@link InvalidSetting})
 * is reported with the file and line, or the {@code --set}, that gave it.
 */
public final class ConfigLoader {
    private static final ObjectMapper JSON = Json.MAPPER;

    private ConfigLoader() {
    }

    /** One setting and where it came from (a file and line, or the command line). */
    public record Setting(String key, String value, String origin) {
    }

    public static <T> T load(Class<T> type, T defaults, Path file, List<String> overrides) {
        var settings = new ArrayList<Setting>();
        if (file != null) {
            settings.addAll(readFile(file));
        }
        for (String override : overrides) {
            settings.add(parseOverride(override));
        }
        return apply(type, defaults, settings);
    }

    public static <T> T apply(Class<T> type, T defaults, List<Setting> settings) {
        ObjectNode tree = JSON.valueToTree(defaults);
        var known = new LinkedHashMap<String, JsonNode>();
        flatten("", tree, known);
        for (Setting setting : settings) {
            JsonNode current = known.get(setting.key());
            if (current == null) {
                throw new LmpipeException("unknown setting '" + setting.key() + "' (" + setting.origin() + "); known settings: "
                        + String.join(", ", new TreeSet<>(known.keySet())));
            }
            put(tree, setting.key(), convert(setting, current));
        }
        try {
            return JSON.treeToValue(tree, type);
        } catch (ValueInstantiationException e) {
            if (e.getCause() instanceof InvalidSetting invalid) {
                throw located(invalid.under(pathOf(e)), settings);
            }
            if (e.getCause() instanceof LmpipeException cause) {
                throw new LmpipeException("invalid configuration: " + cause.getMessage() + " ("
                        + (settings.isEmpty() ? "defaults" : describeOrigins(settings)) + ")", cause);
            }
            throw new IllegalStateException("cannot build " + type.getSimpleName(), e);
        } catch (InvalidFormatException e) {
            throw invalidChoice(e, settings);
        } catch (IOException e) {
            throw new IllegalStateException("cannot build " + type.getSimpleName(), e);
        }
    }

    /** A value that is not one of an enum's constants: name the key, the value, its origin and the choices. */
    private static LmpipeException invalidChoice(InvalidFormatException e, List<Setting> settings) {
        String key = pathOf(e);
        String origin = lastSetting(key, settings).map(Setting::origin).orElse("defaults");
        Object[] choices = e.getTargetType().isEnum() ? e.getTargetType().getEnumConstants() : new Object[0];
        return new LmpipeException("invalid value '" + e.getValue() + "' for setting '" + key + "' (" + origin
                + "): expected one of " + java.util.Arrays.toString(choices));
    }

    static List<Setting> readFile(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new LmpipeException("config file not found: " + file);
        } catch (IOException e) {
            throw new LmpipeException("cannot read config file " + file + ": " + e.getMessage(), e);
        }
        var settings = new ArrayList<Setting>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String origin = file + " line " + (i + 1);
            int equals = line.indexOf('=');
            if (equals <= 0) {
                throw new LmpipeException("expected 'key = value' at " + origin + ", got: " + line);
            }
            settings.add(new Setting(line.substring(0, equals).strip(), line.substring(equals + 1).strip(), origin));
        }
        return settings;
    }

    static Setting parseOverride(String override) {
        int equals = override.indexOf('=');
        if (equals <= 0) {
            throw new LmpipeException("--set expects key=value, got: " + override);
        }
        return new Setting(override.substring(0, equals).strip(), override.substring(equals + 1).strip(), "--set " + override);
    }

    /**
     * A refused value with where it came from: the file and line (or {@code --set}) of the last setting of each key
     * the refusal names, the key first; "defaults" when none of them was set.
     */
    private static LmpipeException located(InvalidSetting invalid, List<Setting> settings) {
        var origins = new LinkedHashSet<String>();
        for (String key : invalid.keys()) {
            lastSetting(key, settings).ifPresent(setting -> origins.add(setting.origin()));
        }
        return new LmpipeException("invalid configuration: " + invalid.getMessage() + " ("
                + (origins.isEmpty() ? "defaults" : String.join(", ", origins)) + ")", invalid);
    }

    /** The setting that decided a key's value: the last one of that key (the command line's over the file's). */
    private static Optional<Setting> lastSetting(String key, List<Setting> settings) {
        return settings.stream().filter(s -> s.key().equals(key)).reduce((a, b) -> b);
    }

    /**
     * The dotted key of the value Jackson was building when it failed ({@code train.model.dropout}), or, for a
     * record's constructor that refused a value, where that record sits ({@code train}; empty at the top).
     */
    private static String pathOf(JsonMappingException e) {
        var key = new StringBuilder();
        for (var reference : e.getPath()) {
            key.append(key.length() == 0 ? "" : ".").append(reference.getFieldName());
        }
        return key.toString();
    }

    private static String describeOrigins(List<Setting> settings) {
        var origins = new TreeSet<String>();
        for (Setting s : settings) {
            origins.add(s.origin().replaceAll(" line \\d+$", ""));
        }
        return "from " + String.join(", ", origins);
    }

    private static void flatten(String prefix, JsonNode node, Map<String, JsonNode> out) {
        if (node.isObject()) {
            Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
            while (fields.hasNext()) {
                var field = fields.next();
                flatten(prefix.isEmpty() ? field.getKey() : prefix + "." + field.getKey(), field.getValue(), out);
            }
        } else {
            out.put(prefix, node);
        }
    }

    private static JsonNode convert(Setting setting, JsonNode current) {
        String value = setting.value();
        var nodes = JsonNodeFactory.instance;
        try {
            if (current.isInt()) {
                return nodes.numberNode(Integer.parseInt(value.replace("_", "")));
            }
            if (current.isIntegralNumber()) {
                return nodes.numberNode(Long.parseLong(value.replace("_", "")));
            }
            if (current.isNumber()) {
                return nodes.numberNode(Double.parseDouble(value));
            }
        } catch (NumberFormatException e) {
            throw invalid(setting, current.isInt() ? "a whole number up to " + Integer.MAX_VALUE
                    : current.isIntegralNumber() ? "a whole number" : "a number");
        }
        if (current.isBoolean()) {
            if (!value.equals("true") && !value.equals("false")) {
                throw invalid(setting, "true or false");
            }
            return nodes.booleanNode(Boolean.parseBoolean(value));
        }
        if (current.isArray()) {
            ArrayNode array = nodes.arrayNode();
            for (String item : value.split(",")) {
                if (!item.isBlank()) {
                    array.add(item.strip());
                }
            }
            return array;
        }
        // Text in double quotes is taken as written between them: a prompt's or stopAt's outer spaces matter.
        if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
            value = value.substring(1, value.length() - 1);
        }
        return nodes.textNode(value);
    }

    private static LmpipeException invalid(Setting setting, String expected) {
        return new LmpipeException("invalid value '" + setting.value() + "' for setting '" + setting.key() + "' ("
                + setting.origin() + "): expected " + expected);
    }

    private static void put(ObjectNode tree, String dottedKey, JsonNode value) {
        String[] parts = dottedKey.split("\\.");
        ObjectNode node = tree;
        for (int i = 0; i < parts.length - 1; i++) {
            node = (ObjectNode) node.get(parts[i]);
        }
        node.set(parts[parts.length - 1], value);
    }

    /** The configuration as {@code key = value} lines, for {@code --help} and provenance. */
    public static List<String> describe(Object config) {
        var known = new LinkedHashMap<String, JsonNode>();
        flatten("", JSON.valueToTree(config), known);
        var lines = new ArrayList<String>();
        known.forEach((key, value) -> lines.add(key + " = " + (value.isTextual() ? value.asText() : value.toString())));
        return lines;
    }
}
