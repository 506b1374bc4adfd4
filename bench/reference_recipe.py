#!/usr/bin/python3
"""The PyTorch reference (../shared/bench/reference_charlm.py) trained with lmpipe's recipe settings.

The reference's models and evaluation, imported from it unchanged, with what lmpipe's `schedule.*`, `weightDecay`,
`gradientClipScope = global` and `model.dropout` do, defined as lmpipe defines them:
  - learning rate: linear warmup from 0 over WARMUP characters (each step weighed where it ends), then cosine or
    linear decay to FLOOR x the rate at LENGTH characters, the floor after it (model.LearningRateSchedule);
  - AdamW's decoupled weight decay on every parameter of two or more dimensions (matrices and embeddings), none on
    biases and LayerNorm's parameters (Networks.applyOptimization);
  - the gradient of the mean loss clipped to a global L2 norm (the reference's own clip_grad_norm_, 1.0 by default);
  - GPT dropout where nanoGPT and lmpipe drop: the embeddings' sum, the attention probabilities and each residual
    branch's output (the reference's Block drops the residual branches only); LSTM dropout where lmpipe drops: the
    input of every layer after the first LSTM, the output layer's included (PyTorch's LSTM drops between its layers
    only).
Training stops at --max-seconds of training or --max-chars characters, whichever comes first; the last line is the
reference's JSON object, with the recipe's settings added. With --decay-by-time the decay is measured in training
seconds against --max-seconds instead of characters, so that it ends when the time does, at whatever speed the
reference trains: the schedule a budget of time calls for, given to the reference at its own speed.
"""
import argparse
import importlib.util
import json
import math
import os
import sys
import time

os.environ.setdefault("OMP_WAIT_POLICY", "passive")

import torch  # noqa: E402
import torch.nn as nn  # noqa: E402
import torch.nn.functional as F  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
spec = importlib.util.spec_from_file_location(
    "reference_charlm", os.path.join(HERE, "..", "..", "shared", "bench", "reference_charlm.py"))
reference = importlib.util.module_from_spec(spec)
spec.loader.exec_module(reference)


class DroppingBlock(reference.Block):
    """The reference's block, its attention probabilities dropped too."""

    def __init__(self, d, heads, dropout):
        super().__init__(d, heads, dropout)
        self.attention_drop = nn.Dropout(dropout)

    def forward(self, x):
        b, t, d = x.shape
        q, k, v = self.qkv(self.ln1(x)).split(d, dim=2)
        q, k, v = (z.view(b, t, self.heads, d // self.heads).transpose(1, 2) for z in (q, k, v))
        att = (q @ k.transpose(-2, -1)) / math.sqrt(d // self.heads)
        mask = torch.ones(t, t, dtype=torch.bool, device=x.device).tril()
        att = self.attention_drop(att.masked_fill(~mask, float("-inf")).softmax(dim=-1))
        y = (att @ v).transpose(1, 2).reshape(b, t, d)
        x = x + self.drop(self.proj(y))
        return x + self.drop(self.mlp(self.ln2(x)))


class DroppingGPT(reference.CharGPT):
    """The reference's GPT with nanoGPT's three dropouts."""

    def __init__(self, vocab, block, d, heads, layers, dropout):
        super().__init__(vocab, block, d, heads, layers, dropout)
        self.blocks = nn.ModuleList(DroppingBlock(d, heads, dropout) for _ in range(layers))
        self.embedding_drop = nn.Dropout(dropout)

    def forward(self, x):
        h = self.embedding_drop(self.tok(x) + self.pos(torch.arange(x.shape[1], device=x.device)))
        for blk in self.blocks:
            h = blk(h)
        return self.head(self.ln(h))


class DroppingLSTM(reference.CharLSTM):
    """The reference's LSTM with its top layer's output dropped before the output layer, as lmpipe drops it."""

    def __init__(self, vocab, embed, hidden, layers, dropout):
        super().__init__(vocab, embed, hidden, layers, dropout)
        self.output_drop = nn.Dropout(dropout)

    def forward(self, x):
        out, _ = self.lstm(self.embed(x))
        return self.head(self.output_drop(out))


def rate(args, characters, per_step, seconds):
    """lmpipe's LearningRateSchedule.at: the rate of the step that starts after `characters`; with --decay-by-time
    the decay's progress is the training time spent since the warmup over the time left after it."""
    after = characters + per_step
    if after < args.warmup:
        return args.lr * after / args.warmup
    if args.decay_by_time:
        if args.warmup_end is None:
            args.warmup_end = seconds
        progress = min(1.0, (seconds - args.warmup_end) / max(1e-9, args.max_seconds - args.warmup_end))
    elif args.schedule == "constant" or characters >= args.length:
        progress = 1.0
    else:
        progress = max(0, characters - args.warmup) / max(1, args.length - args.warmup)
    if args.schedule == "constant":
        return args.lr
    if progress >= 1.0:
        return args.lr * args.floor
    remaining = 0.5 * (1 + math.cos(math.pi * progress)) if args.schedule == "cosine" else 1 - progress
    return args.lr * (args.floor + (1 - args.floor) * remaining)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", required=True)
    ap.add_argument("--model", choices=["lstm", "gpt"], default="gpt")
    ap.add_argument("--seq-len", type=int, default=64)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--embed", type=int, default=64, help="lstm: embedding size")
    ap.add_argument("--hidden", type=int, default=256, help="lstm: hidden size")
    ap.add_argument("--layers", type=int, default=None, help="lstm default 1, gpt default 4")
    ap.add_argument("--embd", type=int, default=128, help="gpt: model width")
    ap.add_argument("--heads", type=int, default=4)
    ap.add_argument("--dropout", type=float, default=0.0)
    ap.add_argument("--lr", type=float, default=None, help="peak rate; default 2e-3 lstm, 1e-3 gpt")
    ap.add_argument("--schedule", choices=["constant", "cosine", "linear"], default="constant")
    ap.add_argument("--warmup", type=int, default=0, help="characters")
    ap.add_argument("--length", type=int, default=0, help="characters where the decay ends (0: --max-chars)")
    ap.add_argument("--floor", type=float, default=0.1)
    ap.add_argument("--weight-decay", type=float, default=0.0)
    ap.add_argument("--clip", type=float, default=1.0, help="global L2 limit on the mean loss's gradient")
    ap.add_argument("--decay-by-time", action="store_true",
                    help="the decay ends at --max-seconds of training, not at --length characters")
    ap.add_argument("--max-seconds", type=float, default=60.0)
    ap.add_argument("--max-chars", type=int, default=0, help="0: no limit")
    ap.add_argument("--threads", type=int, default=1, help="as the reference's --threads")
    ap.add_argument("--eval-chars", type=int, default=100_000)
    ap.add_argument("--seed", type=int, default=1337)
    args = ap.parse_args()
    args.layers = args.layers or (1 if args.model == "lstm" else 4)
    args.lr = args.lr or (2e-3 if args.model == "lstm" else 1e-3)
    args.length = args.length or args.max_chars
    args.warmup_end = None
    if args.schedule != "constant" and not args.length and not args.decay_by_time:
        sys.exit("--schedule " + args.schedule + " needs --length or --max-chars: where the decay ends")

    torch.manual_seed(args.seed)
    torch.set_num_threads(args.threads)
    text = open(args.corpus, encoding="utf-8").read()
    chars = sorted(set(text))
    index = {c: i for i, c in enumerate(chars)}
    data = torch.tensor([index[c] for c in text], dtype=torch.long)
    cut = int(0.9 * len(data))
    train, val = data[:cut], data[cut:]

    if args.model == "lstm":
        model = DroppingLSTM(len(chars), args.embed, args.hidden, args.layers, args.dropout)
    else:
        model = DroppingGPT(len(chars), args.seq_len, args.embd, args.heads, args.layers, args.dropout)
    params = sum(p.numel() for p in model.parameters())
    decayed = [p for p in model.parameters() if p.dim() >= 2]
    other = [p for p in model.parameters() if p.dim() < 2]
    opt = torch.optim.AdamW([{"params": decayed, "weight_decay": args.weight_decay},
                             {"params": other, "weight_decay": 0.0}], lr=args.lr)

    gen = torch.Generator().manual_seed(args.seed)
    per_step = args.batch * args.seq_len
    model.train()
    steps, train_time, last_loss = 0, 0.0, float("nan")
    while train_time < args.max_seconds and (not args.max_chars or steps * per_step < args.max_chars):
        t0 = time.perf_counter()
        for group in opt.param_groups:
            group["lr"] = rate(args, steps * per_step, per_step, train_time)
        starts = torch.randint(0, len(train) - args.seq_len - 1, (args.batch,), generator=gen)
        x = torch.stack([train[s:s + args.seq_len] for s in starts])
        y = torch.stack([train[s + 1:s + 1 + args.seq_len] for s in starts])
        loss = F.cross_entropy(model(x).reshape(-1, len(chars)), y.reshape(-1))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), args.clip)
        opt.step()
        train_time += time.perf_counter() - t0
        steps += 1
        last_loss = loss.item()

    model.eval()
    total, count = 0.0, 0
    n = min(args.eval_chars, len(val) - 1) // args.seq_len
    with torch.no_grad():
        for i in range(0, n, 64):
            idx = torch.arange(i, min(i + 64, n)) * args.seq_len
            x = torch.stack([val[s:s + args.seq_len] for s in idx])
            y = torch.stack([val[s + 1:s + 1 + args.seq_len] for s in idx])
            total += F.cross_entropy(model(x).reshape(-1, len(chars)), y.reshape(-1), reduction="sum").item()
            count += y.numel()
    nats = total / count
    chars_per_s = steps * per_step / train_time
    print(json.dumps({
        "model": args.model, "batch": args.batch, "seq_len": args.seq_len, "layers": args.layers,
        "params": params, "steps": steps, "train_seconds": round(train_time, 2),
        "train_chars_per_sec": round(chars_per_s, 1), "last_train_loss": round(last_loss, 4),
        "val_chars": count, "val_loss_nats": round(nats, 4), "val_bpc": round(nats / math.log(2), 4),
        "val_ppl": round(math.exp(nats), 3),
        "gflops_per_sec": round(chars_per_s * reference.flops_per_char(model, args) / 1e9, 2),
        "torch": torch.__version__, "threads": torch.get_num_threads(),
        "recipe": {"lr": args.lr, "schedule": args.schedule, "warmup": args.warmup,
                   "length": "max-seconds" if args.decay_by_time else args.length,
                   "floor": args.floor, "weight_decay": args.weight_decay, "clip": args.clip,
                   "dropout": args.dropout},
    }))


if __name__ == "__main__":
    main()
