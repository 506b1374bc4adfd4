#!/usr/bin/python3
"""The PyTorch reference (../shared/bench/reference_charlm.py) with one of lmpipe's former choices swapped in, to find
out what cost lmpipe quality per character (bench/archive/RESULTS-2026-11.md, "quality per character"). The reference is imported,
not copied; its training, sampling and evaluation are untouched but for what the variant names, and at a fixed
--steps its result is exactly reproducible, so each variant's validation loss compares directly with the unmodified
reference's.

Usage: bench/reference_init.py VARIANT [reference arguments...], VARIANT one of
  none          the reference as it is
  lstm-dl4j     LSTM: DL4J's initialisation (Xavier embedding, LSTM and output weights; biases 0, forget gate 1)
  lstm-xavier-embedding   LSTM: only the embedding from Xavier's N(0, 2/(fan-in + fan-out))
  lstm-dl4j-bias          LSTM: only the biases as DL4J starts them (0, forget gate 1)
  lstm-clip-per-layer     LSTM: gradient norm clipped per layer (embedding, LSTM, output) instead of globally
  gpt-embeddings          GPT: token embedding from Xavier, position embedding from N(0, 0.02), as lmpipe had
  gpt-gpt2      GPT: lmpipe's former initialisation (embeddings as above; block matrices N(0, 0.02), residual
                projections N(0, 0.02/sqrt(2 layers)), biases 0; output layer Xavier, bias 0)
  gpt-sigmoid-gelu        GPT: GELU as ND4J's gelu op and lmpipe compute it, x·sigmoid(1.702·x), not PyTorch's erf
  gpt-clip-per-layer      GPT: gradient norm clipped per DL4J layer (token and position embedding, each block, final
                          LayerNorm, output layer) instead of globally, as lmpipe's ClipL2PerLayer does
  gpt-layernorm-no-eps    GPT: LayerNorm without epsilon (ND4J's layer_norm and lmpipe's have none; PyTorch 1e-5)
  gpt-epochs    GPT: windows as lmpipe's WindowPlan takes them: epochs of non-overlapping windows at an offset that
                changes each epoch (0 in the first), shuffled, instead of starts drawn with replacement
  gpt-adam-eps  GPT: Adam's epsilon as it acts in lmpipe: DL4J's loss sums over the window's 64 steps, so its
                gradients are 64 times PyTorch's mean and its epsilon of 1e-8 is 1e-8/64 on PyTorch's scale
Example: /usr/bin/python3 bench/reference_init.py lstm-dl4j-bias --corpus ../shared/data/tinyshakespeare.txt \\
             --model lstm --steps 916 --max-seconds 100000
"""
import importlib.util
import math
import os
import sys

import torch

here = os.path.dirname(os.path.abspath(__file__))
spec = importlib.util.spec_from_file_location(
    "reference_charlm", os.path.join(here, "..", "..", "shared", "bench", "reference_charlm.py"))
reference = importlib.util.module_from_spec(spec)
spec.loader.exec_module(reference)

VARIANTS = ["none", "lstm-dl4j", "lstm-xavier-embedding", "lstm-dl4j-bias", "lstm-clip-per-layer",
            "gpt-embeddings", "gpt-gpt2", "gpt-sigmoid-gelu", "gpt-clip-per-layer", "gpt-layernorm-no-eps",
            "gpt-epochs", "gpt-adam-eps"]
if len(sys.argv) < 2 or sys.argv[1] not in VARIANTS:
    sys.exit(__doc__)
variant = sys.argv.pop(1)


def xavier(tensor, fan_in, fan_out):
    """DL4J's WeightInit.XAVIER: N(0, 2 / (fan-in + fan-out))."""
    tensor.normal_(0, math.sqrt(2.0 / (fan_in + fan_out)))


def lstm_variant(model):
    vocabulary, embed = model.embed.weight.shape
    hidden = model.lstm.hidden_size
    with torch.no_grad():
        if variant in ("lstm-dl4j", "lstm-xavier-embedding"):
            xavier(model.embed.weight, vocabulary, embed)
        if variant == "lstm-dl4j":
            xavier(model.lstm.weight_ih_l0, embed, 4 * hidden)
            xavier(model.lstm.weight_hh_l0, hidden, 4 * hidden)
        if variant in ("lstm-dl4j", "lstm-dl4j-bias"):
            model.lstm.bias_ih_l0.zero_()
            model.lstm.bias_hh_l0.zero_()
            model.lstm.bias_ih_l0[hidden:2 * hidden] = 1.0  # PyTorch's gate order: input, forget, cell, output
        if variant == "lstm-dl4j":
            xavier(model.head.weight, hidden, vocabulary)
        if variant in ("lstm-dl4j", "lstm-dl4j-bias"):
            model.head.bias.zero_()


class SigmoidGelu(torch.nn.Module):
    def forward(self, x):
        return x * torch.sigmoid(1.702 * x)


def gpt_variant(model):
    vocabulary, width = model.tok.weight.shape
    layers = len(model.blocks)
    if variant == "gpt-sigmoid-gelu":
        for block in model.blocks:
            block.mlp[1] = SigmoidGelu()
    if variant == "gpt-layernorm-no-eps":
        for module in model.modules():
            if isinstance(module, torch.nn.LayerNorm):
                module.eps = 0.0
    if variant not in ("gpt-embeddings", "gpt-gpt2"):
        return
    with torch.no_grad():
        xavier(model.tok.weight, vocabulary, width)
        model.pos.weight.normal_(0, 0.02)
        if variant == "gpt-gpt2":
            for block in model.blocks:
                for linear in (block.qkv, block.mlp[0]):
                    linear.weight.normal_(0, 0.02)
                    linear.bias.zero_()
                for linear in (block.proj, block.mlp[2]):
                    linear.weight.normal_(0, 0.02 / math.sqrt(2 * layers))
                    linear.bias.zero_()
            xavier(model.head.weight, width, vocabulary)
            model.head.bias.zero_()


def patch(cls, change):
    original = cls.__init__

    def init(self, *args, **kwargs):
        original(self, *args, **kwargs)
        change(self)
    cls.__init__ = init


models = []
if variant.startswith("lstm-"):
    patch(reference.CharLSTM, lambda model: (models.append(model), lstm_variant(model)))
if variant.startswith("gpt-"):
    patch(reference.CharGPT, lambda model: (models.append(model), gpt_variant(model)))
if variant in ("lstm-clip-per-layer", "gpt-clip-per-layer"):
    clip = torch.nn.utils.clip_grad_norm_

    def per_layer(parameters, max_norm, *args, **kwargs):
        model = models[0]
        # DL4J's layers: each child module, the GPT's blocks one by one.
        layers = [b for b in model.blocks] if hasattr(model, "blocks") else []
        layers += [c for c in model.children() if c is not getattr(model, "blocks", None)]
        for layer in layers:
            clip(list(layer.parameters()), max_norm, *args, **kwargs)
    torch.nn.utils.clip_grad_norm_ = per_layer

if variant == "gpt-epochs":
    # The reference draws each step's starts with torch.randint(0, n, (batch,), generator=gen), and uses randint
    # for nothing else: answer those calls from an epoch plan instead, shuffled by the same generator.
    draw = torch.randint
    plan = {"epoch": 0, "starts": []}

    def epoch_starts(high, size, generator=None, **kwargs):
        if len(size) != 1:
            return draw(high, size, generator=generator, **kwargs)
        batch = size[0]
        seq_len = int(sys.argv[sys.argv.index("--seq-len") + 1]) if "--seq-len" in sys.argv else 64
        while len(plan["starts"]) < batch:
            offset = 0 if plan["epoch"] == 0 else int(draw(0, seq_len, (1,), generator=generator))
            starts = torch.arange(offset, high, seq_len)
            starts = starts[torch.randperm(len(starts), generator=generator)]
            plan["starts"] = starts[: len(starts) - len(starts) % batch].tolist()
            plan["epoch"] += 1
        taken, plan["starts"] = plan["starts"][:batch], plan["starts"][batch:]
        return torch.tensor(taken)

    def randint(*args, **kwargs):
        if len(args) == 3 and args[0] == 0 and isinstance(args[2], tuple):
            return epoch_starts(args[1], args[2], **kwargs)
        return draw(*args, **kwargs)
    torch.randint = randint

if variant == "gpt-adam-eps":
    adamw = torch.optim.AdamW

    def scaled_eps(params, **kwargs):
        seq_len = int(sys.argv[sys.argv.index("--seq-len") + 1]) if "--seq-len" in sys.argv else 64
        return adamw(params, eps=1e-8 / seq_len, **kwargs)
    torch.optim.AdamW = scaled_eps

print(f"reference_init: variant {variant}", file=sys.stderr)
reference.main()
