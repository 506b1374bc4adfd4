#!/usr/bin/python3
"""Generation speed of the PyTorch reference models (../shared/bench/reference_charlm.py), to compare with
`lmpipe generate` on the same machine.

The models are the reference's own classes with its default shapes (LSTM: embedding 64, one LSTM of 256;
GPT: 4 layers, 4 heads, width 128, block 64); speed does not depend on the weights, so they stay as
initialised. Generation works as lmpipe's does: the LSTM reads the prompt once, then takes one step per
character with its state carried; the GPT runs its whole window (the last `block` characters) for every
character. Sampling at temperature 1 from the softmax, batch 1, under torch.no_grad().
The last line printed is JSON: model, characters, seconds, chars_per_sec.
Usage: /usr/bin/python3 bench/reference_generate.py --model lstm --chars 2000
"""
import argparse
import json
import os
import sys
import time

os.environ.setdefault("OMP_WAIT_POLICY", "passive")
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "shared", "bench"))

import torch  # noqa: E402
from reference_charlm import CharGPT, CharLSTM  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", choices=["lstm", "gpt"], default="lstm")
    ap.add_argument("--chars", type=int, default=2000)
    ap.add_argument("--vocab", type=int, default=66, help="tinyshakespeare's 65 characters plus <unk>")
    ap.add_argument("--prompt-length", type=int, default=6)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--seed", type=int, default=1337)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    block = 64
    if args.model == "lstm":
        model = CharLSTM(args.vocab, 64, 256, 1, 0.0)
    else:
        model = CharGPT(args.vocab, block, 128, 4, 4, 0.0)
    model.eval()
    prompt = torch.randint(args.vocab, (1, args.prompt_length))

    start = time.perf_counter()
    with torch.no_grad():
        if args.model == "lstm":
            out, state = model.lstm(model.embed(prompt))
            logits = model.head(out[:, -1])
            for _ in range(args.chars):
                token = torch.multinomial(logits.softmax(-1), 1)
                out, state = model.lstm(model.embed(token), state)
                logits = model.head(out[:, -1])
        else:
            tokens = prompt
            for _ in range(args.chars):
                logits = model(tokens[:, -block:])[:, -1]
                token = torch.multinomial(logits.softmax(-1), 1)
                tokens = torch.cat([tokens, token], dim=1)
    seconds = time.perf_counter() - start
    print(json.dumps({"model": args.model, "characters": args.chars, "seconds": round(seconds, 3),
                      "chars_per_sec": round(args.chars / seconds, 1), "torch": torch.__version__,
                      "threads": args.threads}))


if __name__ == "__main__":
    main()
