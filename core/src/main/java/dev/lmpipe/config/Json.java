package dev.lmpipe.config;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import dev.lmpipe.LmpipeException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** The one Jackson mapper for lmpipe's own files (manifest, training state, reports, configuration). */
public final class Json {
    public static final ObjectMapper MAPPER = new ObjectMapper()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);

    private Json() {
    }

    public static byte[] write(Object value) {
        try {
            return MAPPER.writeValueAsBytes(value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** One line of JSON, for JSON-lines files such as metrics.jsonl. */
    public static String line(Object value) {
        try {
            return MAPPER.writer().without(SerializationFeature.INDENT_OUTPUT).writeValueAsString(value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Records as JSON lines (metrics.jsonl, rounds.jsonl, decisions.jsonl), each ending in a newline. */
    public static byte[] lines(List<?> records) {
        var text = new StringBuilder();
        for (Object record : records) {
            text.append(line(record)).append('\n');
        }
        return text.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** Reads JSON lines, skipping blank ones; a line that does not parse is an error naming {@code source} and it. */
    public static <T> List<T> readLines(byte[] bytes, Class<T> type, String source) {
        var result = new ArrayList<T>();
        String[] lines = new String(bytes, StandardCharsets.UTF_8).split("\n");
        for (int i = 0; i < lines.length; i++) {
            if (lines[i].isBlank()) {
                continue;
            }
            try {
                result.add(MAPPER.readValue(lines[i], type));
            } catch (IOException e) {
                throw new LmpipeException(source + " line " + (i + 1) + " is not a valid record: " + e.getMessage(), e);
            }
        }
        return result;
    }

    public static <T> T read(byte[] bytes, Class<T> type) throws IOException {
        return MAPPER.readValue(bytes, type);
    }

    /**
     * Fills what a stored object lacks from {@code defaults}: a configuration saved before a setting existed
     * reads back with that setting's default, so new settings never strand old checkpoints or datasets.
     */
    public static ObjectNode withDefaults(JsonNode stored, Object defaults) {
        ObjectNode merged = MAPPER.valueToTree(defaults);
        merge(merged, stored);
        return merged;
    }

    private static void merge(ObjectNode into, JsonNode stored) {
        stored.fields().forEachRemaining(field -> {
            JsonNode current = into.get(field.getKey());
            if (current instanceof ObjectNode object && field.getValue().isObject()) {
                merge(object, field.getValue());
            } else {
                into.set(field.getKey(), field.getValue());
            }
        });
    }
}
