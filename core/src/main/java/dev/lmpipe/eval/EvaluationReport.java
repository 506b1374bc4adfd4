package dev.lmpipe.eval;

import dev.lmpipe.text.Vocabulary;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * What {@code evaluate} reports: {@code report.json} carries every number, {@code report.md} shows them.
 *
 * <p>Per-character figures compare runs whatever their tokenizer: for BPE they divide the loss summed over tokens
 * by the characters those tokens stand for (the split's characters per token, from the manifest).
 *
 * @param characters          characters evaluated (predicted tokens × characters per token)
 * @param natsPerCharacter    mean negative log-likelihood, nats per character
 * @param bitsPerCharacter    the same in bits
 * @param perplexity          e to the nats per character
 * @param tokens              predicted tokens evaluated (the same as characters for the char tokenizer)
 * @param natsPerToken        mean negative log-likelihood, nats per token
 * @param tokenizer           the vocabulary's tokenizer, e.g. char-v1 or bpe-v1
 * @param characterLosses     every token's count and mean loss, hardest first
 * @param positionLosses      mean loss at each position of the evaluation window, nats per character
 * @param provenance          checkpoint, dataset, split, epoch, configuration, versions
 */
public record EvaluationReport(long characters, double natsPerCharacter, double bitsPerCharacter, double perplexity,
                               long tokens, double natsPerToken, String tokenizer,
                               List<CharacterLoss> characterLosses, List<Double> positionLosses,
                               Map<String, Object> provenance) {

    /** Loss of one target character: how often it was predicted and its mean loss in nats. */
    public record CharacterLoss(int id, String character, long count, double meanNats) {
    }

    /** @param charactersPerToken characters of the evaluated split per token (1 for the char tokenizer) */
    public static EvaluationReport of(LossTotals totals, Vocabulary vocabulary, double charactersPerToken,
                                      Map<String, Object> provenance) {
        var losses = new ArrayList<CharacterLoss>();
        for (int id = 0; id < totals.vocabularySize(); id++) {
            if (totals.characters(id) > 0) {
                losses.add(new CharacterLoss(id, vocabulary.display(id), totals.characters(id), totals.natsPerCharacter(id)));
            }
        }
        losses.sort(Comparator.comparingDouble(CharacterLoss::meanNats).reversed());
        var positions = new ArrayList<Double>();
        for (double loss : totals.natsPerCharacterByPosition()) {
            positions.add(loss);
        }
        double natsPerCharacter = totals.natsPerCharacter() / charactersPerToken;
        return new EvaluationReport(Math.round(totals.characters() * charactersPerToken), natsPerCharacter,
                natsPerCharacter / Math.log(2), Math.exp(natsPerCharacter), totals.characters(), totals.natsPerCharacter(),
                vocabulary.tokenizerVersion(), losses, positions, provenance);
    }

    /** The report as Markdown, with the {@code hardest} characters by mean loss. */
    public String markdown(int hardest) {
        var md = new StringBuilder();
        md.append("# lmpipe evaluation\n\n");
        provenance.forEach((key, value) -> {
            if (!(value instanceof Map)) {
                md.append("- ").append(key).append(": `").append(value).append("`\n");
            }
        });
        md.append("\n| measure | value |\n|---|---|\n");
        md.append(String.format("| characters | %,d |%n", characters));
        md.append(String.format("| nats per character | %.4f |%n", natsPerCharacter));
        md.append(String.format("| bits per character | %.4f |%n", bitsPerCharacter));
        md.append(String.format("| perplexity (per character) | %.3f |%n", perplexity));
        md.append(String.format("| tokens (%s) | %,d |%n", tokenizer, tokens));
        md.append(String.format("| nats per token | %.4f |%n", natsPerToken));
        md.append("\n## Hardest characters (by mean loss)\n\n| character | count | mean nats |\n|---|---|---|\n");
        characterLosses.stream().limit(hardest).forEach(c ->
                md.append(String.format("| `%s` | %,d | %.3f |%n", c.character().replace("|", "\\|"), c.count(), c.meanNats())));
        return md.toString();
    }
}
