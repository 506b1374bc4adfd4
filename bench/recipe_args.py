#!/usr/bin/python3
"""The arguments of bench/reference_recipe.py that give the PyTorch reference the model and recipe of an lmpipe
train configuration: the same model kind and shape, window, batch per step, peak learning rate, schedule, weight
decay, global clipping and dropout. Prints them on one line, for a shell to split.

Usage: bench/recipe_args.py CONF [key=value ...]   (the settings after CONF override it, as lmpipe's --set does)
The schedule's length is left out: the caller says where the reference's decay ends (--max-chars, --length or
--decay-by-time). A configuration the reference cannot train the same way (per-layer clipping with weight decay or
a schedule, an MLP) is refused with a one-line error naming the setting.
"""
import sys


def read(path, overrides):
    settings = {}
    with open(path, encoding="utf-8") as conf:
        for number, line in enumerate(conf, 1):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            key, equals, value = line.partition("=")
            if not equals:
                sys.exit(f"{path}:{number}: not a 'key = value' line: {line}")
            settings[key.strip()] = value.strip()
    for override in overrides:
        key, equals, value = override.partition("=")
        if not equals:
            sys.exit(f"setting '{override}' is not key=value")
        settings[key.strip()] = value.strip()
    return settings


def arguments(settings):
    def get(key, default=None):
        if key in settings:
            return settings[key]
        if default is None:
            sys.exit(f"recipe_args: the configuration has no {key}")
        return default

    kind = get("model.kind")
    batch = int(get("batchSize"))
    seq_len = int(get("seqLen"))
    args = ["--batch", str(batch), "--seq-len", str(seq_len), "--layers", get("model.layers"),
            "--dropout", get("model.dropout", "0.0"), "--lr", get("learningRate")]
    if kind == "lstm":
        args = ["--model", "lstm", "--embed", get("model.embedding"), "--hidden", get("model.hidden")] + args
    elif kind == "transformer":
        if int(get("model.block")) != seq_len:
            sys.exit("recipe_args: model.block must equal seqLen, as lmpipe requires")
        args = ["--model", "gpt", "--embd", get("model.embedding"), "--heads", get("model.heads")] + args
    else:
        sys.exit(f"recipe_args: model.kind = {kind}: the reference has no such model (lstm, transformer)")
    if get("gradientClipScope", "layer") != "global":
        sys.exit("recipe_args: gradientClipScope = layer: the reference clips the whole gradient only (set global)")
    args += ["--clip", get("gradientClip", "1.0"), "--weight-decay", get("weightDecay", "0.0")]
    schedule = get("schedule.kind", "constant")
    per_step = batch * seq_len if get("schedule.unit", "characters") == "steps" else 1
    args += ["--schedule", schedule, "--floor", get("schedule.floor", "0.1"),
             "--warmup", str(int(float(get("schedule.warmup", "0")) * per_step))]
    return args


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    print(" ".join(arguments(read(sys.argv[1], sys.argv[2:]))))
