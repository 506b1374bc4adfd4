package dev.lmpipe.config;

import dev.lmpipe.LmpipeException;

/**
 * Validation for configuration records: each failure is an {@link InvalidSetting} that names the key, the value
 * and the allowed range, so that the loader can add where the value came from.
 */
public final class Checks {
    private Checks() {
    }

    public static int positive(String key, int value) {
        if (value <= 0) {
            throw new InvalidSetting(key, "must be positive, got " + value);
        }
        return value;
    }

    public static int atLeast(String key, int value, int minimum) {
        if (value < minimum) {
            throw new InvalidSetting(key, "must be at least " + minimum + ", got " + value);
        }
        return value;
    }

    public static long atLeast(String key, long value, long minimum) {
        if (value < minimum) {
            throw new InvalidSetting(key, "must be at least " + minimum + ", got " + value);
        }
        return value;
    }

    /** A finite number, {@code minimum} or more. */
    public static double atLeast(String key, double value, double minimum) {
        if (!(value >= minimum) || Double.isInfinite(value)) {
            throw new InvalidSetting(key, "must be at least " + minimum + ", got " + value);
        }
        return value;
    }

    public static int atMost(String key, int value, int maximum) {
        if (value > maximum) {
            throw new InvalidSetting(key, "must be at most " + maximum + ", got " + value);
        }
        return value;
    }

    public static double positive(String key, double value) {
        if (!(value > 0) || Double.isInfinite(value)) {
            throw new InvalidSetting(key, "must be a positive number, got " + value);
        }
        return value;
    }

    /** Closed-open [low, high). */
    public static double within(String key, double value, double low, double high) {
        if (!(value >= low && value < high)) {
            throw new InvalidSetting(key, "must be within [" + low + ", " + high + "), got " + value);
        }
        return value;
    }

    /** Closed [low, high]. */
    public static long within(String key, long value, long low, long high) {
        if (value < low || value > high) {
            throw new InvalidSetting(key, "must be within [" + low + ", " + high + "], got " + value);
        }
        return value;
    }

    public static String present(String key, String value) {
        if (value == null || value.isBlank()) {
            throw new LmpipeException(key + " is required; set it in the config file or with --set " + key + "=...");
        }
        return value;
    }
}
