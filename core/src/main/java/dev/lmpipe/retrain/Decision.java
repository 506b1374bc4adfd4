package dev.lmpipe.retrain;

import java.util.List;

/**
 * One line of {@code decisions.jsonl}: what a retraining run compared and what it decided.
 *
 * @param time                       when the decision was made (ISO-8601, UTC)
 * @param run                        the run directory (dataset, training run, decision report)
 * @param input                      the new data it was given
 * @param charactersAdded            characters of new data per split (train, validation, test)
 * @param split                      the held-out split both models were scored on
 * @param evaluatedCharacters        characters in that split
 * @param champion                   the champion's checkpoint before the decision, or null for the first model
 * @param championBitsPerCharacter   its score on the split, or null
 * @param challenger                 the challenger's best checkpoint
 * @param challengerBitsPerCharacter its score on the split
 * @param margin                     the improvement (bits per character) a promotion needs
 * @param promoted                   whether the challenger is now the champion
 * @param reason                     why, in words
 */
public record Decision(String time, String run, List<String> input, java.util.Map<String, Long> charactersAdded,
                       String split, long evaluatedCharacters, String champion, Double championBitsPerCharacter,
                       String challenger, double challengerBitsPerCharacter, double margin, boolean promoted,
                       String reason) {

    /** The rule: a first model is promoted; later ones only when better by more than the margin. */
    public static Verdict decide(Double championBits, double challengerBits, double margin) {
        if (!Double.isFinite(challengerBits)) {
            return new Verdict(false, String.format("challenger's score is %s: training diverged", challengerBits));
        }
        if (championBits == null) {
            return new Verdict(true, "first model of this home: no champion to compare with");
        }
        double gain = championBits - challengerBits;
        if (gain > margin) {
            return new Verdict(true, String.format("challenger is better by %.4f bits/char (%.4f vs %.4f), more than the"
                    + " margin %.4f", gain, challengerBits, championBits, margin));
        }
        return new Verdict(false, gain > 0
                ? String.format("challenger is better by only %.4f bits/char (%.4f vs %.4f), not more than the margin %.4f",
                        gain, challengerBits, championBits, margin)
                : String.format("challenger is worse by %.4f bits/char (%.4f vs %.4f)", -gain, challengerBits, championBits));
    }

    /**
     * The champion this decision leaves: the challenger if promoted, else the champion it was compared with (null
     * when the home has none). The last decision's is what {@code champion} must name.
     */
    public String championAfter() {
        return promoted ? challenger : champion;
    }

    /**
     * This decision with its promotion withdrawn, as recorded when the promotion could not be completed
     * ({@link ModelHome#recover}): the same comparison, not promoted, {@code reason} saying why.
     */
    public Decision withdrawn(String time, String reason) {
        return new Decision(time, run, input, charactersAdded, split, evaluatedCharacters, champion,
                championBitsPerCharacter, challenger, challengerBitsPerCharacter, margin, false, reason);
    }

    /** Promote or not, and why. */
    public record Verdict(boolean promote, String reason) {
    }
}
