package dev.lmpipe.config;

import dev.lmpipe.LmpipeException;

import java.util.ArrayList;
import java.util.List;

/**
 * A value that a configuration record refuses: out of range, or at odds with another setting. It names the key
 * (and the other keys the rule involves) as seen from the record that refused it, for example {@code seqLen} in
 * a {@code TrainConfig}; {@link ConfigLoader}, which knows where the record sits ({@code train.seqLen} in a
 * retrain configuration) and where each key's value came from, adds the file and line or the {@code --set}.
 */
public final class InvalidSetting extends LmpipeException {
    private final String key;
    private final String requirement;
    private final List<String> related;

    /** {@code requirement} completes the sentence that starts with the key: "must be positive, got 0". */
    public InvalidSetting(String key, String requirement) {
        this(key, requirement, List.of());
    }

    /** {@code related}: the other keys whose values the rule weighs this one against. */
    public InvalidSetting(String key, String requirement, List<String> related) {
        super(key + " " + requirement);
        this.key = key;
        this.requirement = requirement;
        this.related = List.copyOf(related);
    }

    public String key() {
        return key;
    }

    /** The key first, then the related ones. */
    public List<String> keys() {
        var keys = new ArrayList<String>();
        keys.add(key);
        keys.addAll(related);
        return keys;
    }

    /** The same refusal seen from a record that holds the refusing one under {@code prefix} ({@code train}). */
    InvalidSetting under(String prefix) {
        if (prefix.isEmpty()) {
            return this;
        }
        return new InvalidSetting(prefix + "." + key, requirement,
                related.stream().map(other -> prefix + "." + other).toList());
    }
}
