package dev.lmpipe.generate;

import dev.lmpipe.config.InvalidSetting;

/**
 * How the next character is drawn, applied in the usual order: temperature, then top-k, then top-p.
 *
 * @param temperature 0 is greedy (the other settings are then moot); 1 leaves the distribution as it is
 * @param topK        keep only the k most likely characters (0: all)
 * @param topP        keep the smallest set of most likely characters whose mass reaches p (1: all)
 */
public record Sampling(double temperature, int topK, double topP) {
    public static final Sampling GREEDY = new Sampling(0, 0, 1.0);

    public Sampling {
        // Keys as GenerateConfig names them, so that the loader can say where a refused value came from.
        if (!(temperature >= 0) || Double.isInfinite(temperature)) {
            throw new InvalidSetting("temperature", "must be 0 (greedy) or positive, got " + temperature);
        }
        if (topK < 0) {
            throw new InvalidSetting("topK", "must be 0 (off) or positive, got " + topK);
        }
        if (!(topP > 0 && topP <= 1)) {
            throw new InvalidSetting("topP", "must be within (0, 1], got " + topP);
        }
    }

    public static Sampling temperature(double temperature) {
        return new Sampling(temperature, 0, 1.0);
    }

    public boolean greedy() {
        return temperature == 0;
    }

    /** A short label for tables, e.g. {@code T=0.8 top-k=10 top-p=0.9}. */
    public String label() {
        if (greedy()) {
            return "greedy";
        }
        var label = new StringBuilder("T=" + trim(temperature));
        if (topK > 0) {
            label.append(" top-k=").append(topK);
        }
        if (topP < 1) {
            label.append(" top-p=").append(trim(topP));
        }
        return label.toString();
    }

    private static String trim(double value) {
        return value == Math.rint(value) ? String.valueOf((long) value) : String.valueOf(value);
    }
}
