"""The figures of bench/vs_pytorch.sh.

vs_pytorch_pair.py WORK MODEL SEED PEAK_GFLOPS
    One pair (the reference and lmpipe, one seed): prints it as one JSON line. lmpipe's training chars/s are taken
    over every epoch's training time (validation passes excluded, as the reference's); MFU is against the sgemm peak
    measured just before the pair; losses are of the model each trained last, on the same held-out characters.

vs_pytorch_pair.py --summary WORK MODEL MINUTES PLAIN_1_THREAD PLAIN_2_THREADS LMPIPE_GEN REFERENCE_GEN
    The pairs of WORK/pairs-MODEL.jsonl as medians and spreads (lowest to highest), with the plain single-JVM fit and
    generation figures, which are measured once per model.
"""
import json
import re
import statistics
import sys


def pair(work, model, seed, peak):
    lines = [json.loads(line) for line in open(f"{work}/run-{model}-{seed}/metrics.jsonl")]
    previous = [0] + [line["trainedCharacters"] for line in lines[:-1]]
    chars = sum(line["trainedCharacters"] - before for line, before in zip(lines, previous))
    lm_cps = chars / sum(line["epochSeconds"] for line in lines)
    ref = json.loads(open(f"{work}/reference-{model}-{seed}.log").read().strip().splitlines()[-1])
    flops = ref["gflops_per_sec"] * 1e9 / ref["train_chars_per_sec"]
    lm_loss = float(re.search(r"([0-9.]+) nats/char", open(f"{work}/eval-{model}-{seed}.log").read()).group(1))
    return {
        "seed": int(seed), "peak_gflops": peak,
        "lmpipe_cps": round(lm_cps, 1), "reference_cps": ref["train_chars_per_sec"],
        "cps_ratio": round(lm_cps / ref["train_chars_per_sec"], 4), "mflop_per_char": round(flops / 1e6, 3),
        "lmpipe_mfu": round(lm_cps * flops / 1e9 / peak, 4), "reference_mfu": round(ref["gflops_per_sec"] / peak, 4),
        "lmpipe_loss": lm_loss, "reference_loss": ref["val_loss_nats"],
        "loss_difference": round(lm_loss - ref["val_loss_nats"], 4),
    }


def summary(work, model, minutes, plain1, plain2, lm_gen, ref_gen):
    pairs = [json.loads(line) for line in open(f"{work}/pairs-{model}.jsonl")]

    def spread(key, form):
        values = [p[key] for p in pairs]
        return (f"median {format(statistics.median(values), form)}"
                f" (spread {format(min(values), form)} to {format(max(values), form)})")

    lm_cps = statistics.median(p["lmpipe_cps"] for p in pairs)
    plain = max(plain1, plain2)
    return "\n".join([
        f"{model}: {len(pairs)} seed(s) of {minutes} min; sgemm peak {spread('peak_gflops', ',.1f')} GFLOP/s",
        f"{model}: training chars/s lmpipe / reference {spread('cps_ratio', '.2f')};"
        f" lmpipe {spread('lmpipe_cps', ',.0f')}, reference {spread('reference_cps', ',.0f')}",
        f"{model}: MFU ({pairs[0]['mflop_per_char']:.2f} MFLOP/char, each pair against its own peak):"
        f" lmpipe {spread('lmpipe_mfu', '.1%')}, reference {spread('reference_mfu', '.1%')}",
        f"{model}: held-out nats/char of the last model: lmpipe {spread('lmpipe_loss', '.4f')},"
        f" reference {spread('reference_loss', '.4f')}; lmpipe - reference {spread('loss_difference', '+.4f')}",
        f"{model}: Spark local[2] (median) / plain single-JVM fit: {lm_cps:,.0f} / {plain:,.0f} = {lm_cps / plain:.2f}"
        f" (plain: {plain1:,.0f} with 1 thread, {plain2:,.0f} with 2)",
        f"{model}: generation chars/s lmpipe {lm_gen:,.0f} / reference {ref_gen:,.0f} = {lm_gen / ref_gen:.2f}",
    ])


if __name__ == "__main__":
    if sys.argv[1] == "--summary":
        work, model, minutes = sys.argv[2:5]
        print(summary(work, model, minutes, *map(float, sys.argv[5:9])))
    else:
        work, model, seed, peak = sys.argv[1:5]
        print(json.dumps(pair(work, model, seed, float(peak))))
