"""Splits tinyshakespeare as the PyTorch reference (../shared/bench/reference_charlm.py) does.

heldout_split.py CORPUS WORK
    The reference trains on the first 90% of the characters and evaluates on the characters after them that its
    non-overlapping windows of 64 reach within its 100,000-character budget (1,562 windows: 99,969 characters,
    99,968 of them predicted). Writes WORK/head.txt (the 90%, what lmpipe trains on) and WORK/tail.txt (exactly the
    reference's held-out characters, what lmpipe is evaluated on).
"""
import sys

text = open(sys.argv[1], encoding="utf-8").read()
n = int(0.9 * len(text))
seq_len, budget = 64, 100_000
windows = min(budget, len(text) - n - 1) // seq_len
open(sys.argv[2] + "/head.txt", "w", encoding="utf-8").write(text[:n])
open(sys.argv[2] + "/tail.txt", "w", encoding="utf-8").write(text[n:n + windows * seq_len + 1])
