package dev.lmpipe.spark;

import dev.lmpipe.LmpipeException;
import dev.lmpipe.config.Json;
import dev.lmpipe.data.Manifest;
import dev.lmpipe.data.Split;
import dev.lmpipe.data.TokenizeConfig;
import dev.lmpipe.eval.LossTotals;
import dev.lmpipe.report.RunHistory;
import dev.lmpipe.retrain.Decision;
import dev.lmpipe.retrain.ModelHome;
import dev.lmpipe.retrain.RetrainConfig;
import dev.lmpipe.storage.Storage;
import dev.lmpipe.train.Checkpoint;
import dev.lmpipe.train.CheckpointStore;
import dev.lmpipe.train.MetricsLine;
import dev.lmpipe.train.TrainConfig;
import org.apache.spark.api.java.JavaSparkContext;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * retrain: new data → tokenized with the champion's vocabulary → a challenger trained from the champion →
 * both scored on the same held-out split of the new data → the challenger promoted only if better by the
 * margin → a decision record and report. The first run of a home has no champion: it trains from scratch and
 * its model becomes the champion.
 */
public final class RetrainJob {
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC);

    private RetrainJob() {
    }

    public static Decision run(JavaSparkContext sc, Storage storage, RetrainConfig config, PrintStream out) {
        var home = new ModelHome(storage, config.home());
        Instant now = Instant.now();
        // A run that died between recording its decision and moving champion left the two disagreeing.
        home.recover(now).ifPresent(done -> out.println("retrain: " + done));
        var championPath = home.champion();
        Checkpoint champion = championPath.map(path -> {
            try {
                return CheckpointStore.load(storage, path);
            } catch (LmpipeException e) {
                throw new LmpipeException("the champion of " + home.path() + " cannot be used: " + e.getMessage()
                        + "; repair " + Storage.child(home.path(), ModelHome.CHAMPION) + " to name a good checkpoint", e);
            }
        }).orElse(null);
        String run = home.newRun(STAMP.format(now));
        out.println("retrain: " + (champion == null ? "no champion yet in " + home.path() + ": training the first model"
                : "champion " + champion.path()) + "; this run in " + run);

        String dataset = Storage.child(run, "dataset");
        var tokenize = withSettings(config.tokenize(), TokenizeConfig.class, Map.of("input", config.input(),
                "output", dataset, "vocabFrom", champion == null ? "" : champion.path()));
        Manifest manifest = TokenizeJob.run(sc, storage, tokenize, false, out);

        String trainRun = Storage.child(run, "train");
        var settings = new LinkedHashMap<String, Object>(Map.of("dataset", dataset, "output", trainRun));
        if (champion != null) {
            settings.put("model", champion.state().config().model());
        }
        var train = withSettings(config.train(), TrainConfig.class, settings);
        var job = new TrainJob(sc, storage, train, out);
        if (champion != null) {
            job.startFrom(champion);
        }
        job.run(false, false);
        String challengerPath = CheckpointStore.resolve(storage, trainRun, CheckpointStore.BEST);
        Checkpoint challenger = CheckpointStore.load(storage, challengerPath);

        Split split = manifest.shards(Split.test).isEmpty() ? Split.validation : Split.test;
        var challengerScore = score(sc, storage, dataset, manifest, split, challenger);
        var championScore = champion == null ? null : score(sc, storage, dataset, manifest, split, champion);
        Double championBits = championScore == null ? null : championScore.bits;
        var verdict = Decision.decide(championBits, challengerScore.bits, config.margin());
        var added = new LinkedHashMap<String, Long>();
        for (Split s : Split.values()) {
            added.put(s.name(), manifest.characters(s));
        }
        var decision = new Decision(now.toString(), run, config.input(), added, split.name(),
                challengerScore.characters, champion == null ? null : champion.path(), championBits, challengerPath,
                challengerScore.bits, config.margin(), verdict.promote(), verdict.reason());
        // The report and the record first, the promotion last: a crash in between leaves the old champion serving
        // and a record that says what was meant, never a champion without its record; the next run completes that
        // promotion, or withdraws it if the challenger is gone, before it reads the champion (ModelHome.recover).
        // A crash before the record leaves no trace in decisions.jsonl: the champion and the record still agree.
        storage.writeAll(Storage.child(run, "decision.json"), Json.write(decision));
        storage.writeAll(Storage.child(run, "decision.md"), report(decision, RunHistory.read(storage, trainRun))
                .getBytes(StandardCharsets.UTF_8));
        home.record(decision);
        if (verdict.promote()) {
            home.promote(challengerPath);
        }
        out.printf("retrain: %s on %s (%,d chars): challenger %.4f bits/char%s; %s: %s%n", home.path(), split,
                challengerScore.characters, challengerScore.bits,
                championBits == null ? "" : String.format(", champion %.4f", championBits),
                verdict.promote() ? "PROMOTED" : "not promoted", verdict.reason());
        return decision;
    }

    private record Score(double bits, long characters) {
    }

    /** Bits per character of a checkpoint on a split, exactly, on the executors. */
    private static Score score(JavaSparkContext sc, Storage storage, String dataset, Manifest manifest, Split split,
                               Checkpoint checkpoint) {
        int seqLen = checkpoint.state().config().seqLen();
        LossTotals totals = LossJob.loss(sc, storage, dataset, manifest.shards(split), checkpoint.network(),
                manifest.vocabulary().size(), seqLen, checkpoint.state().config().evalBatchSize());
        double bits = totals.natsPerCharacter() / manifest.charactersPerToken(split) / Math.log(2);
        return new Score(bits, manifest.characters(split));
    }

    /** A configuration with some settings replaced by the job (through JSON, as the loader builds them). */
    private static <T> T withSettings(T config, Class<T> type, Map<String, ?> settings) {
        var tree = Json.MAPPER.<com.fasterxml.jackson.databind.node.ObjectNode>valueToTree(config);
        settings.forEach((key, value) -> tree.set(key, Json.MAPPER.valueToTree(value)));
        try {
            return Json.MAPPER.treeToValue(tree, type);
        } catch (java.io.IOException e) {
            throw new IllegalStateException("cannot set " + settings.keySet() + " on " + type.getSimpleName(), e);
        }
    }

    static String report(Decision d, RunHistory history) {
        var md = new StringBuilder();
        md.append("# Retraining decision, ").append(d.time()).append("\n\n");
        md.append("**").append(d.promoted() ? "Promoted" : "Not promoted").append("**: ").append(d.reason()).append("\n\n");
        md.append("| model | checkpoint | bits/char on ").append(d.split()).append(" |\n|---|---|---|\n");
        md.append(String.format("| challenger | %s | %.4f |%n", d.challenger(), d.challengerBitsPerCharacter()));
        if (d.champion() != null) {
            md.append(String.format("| champion | %s | %.4f |%n", d.champion(), d.championBitsPerCharacter()));
        }
        md.append(String.format("%nMargin: %.4f bits/char. Held-out split: %s, %,d characters of the new data.%n",
                d.margin(), d.split(), d.evaluatedCharacters()));
        md.append("New data: ").append(String.join(", ", d.input())).append(" (characters per split: ")
                .append(d.charactersAdded()).append(").\n\n");
        md.append("## The challenger's training\n\n| epoch | train nats/char | validation nats/char | bits/char | best |\n"
                + "|---|---|---|---|---|\n");
        for (MetricsLine line : history.epochs()) {
            md.append(String.format("| %d | %.4f | %.4f | %.4f | %s |%n", line.epoch(), line.trainLoss(),
                    line.validationLoss(), line.validationBitsPerCharacter(), line.best() ? "yes" : ""));
        }
        return md.toString();
    }
}
