#!/usr/bin/env python3
"""Builds a varied multi-gigabyte text corpus from ../shared/data/*.txt for the tokenize benchmark.

The corpus has the shape users bring: half its bytes in a few large files (one of them with lines of
megabytes), the rest in thousands of small files in nested folders, and some gzip files. Every file is made
of runs of lines taken at random places of the real corpora, each run varied so that the corpus does not
repeat itself: some runs re-spelled with letters outside ASCII (accents, Cyrillic, Greek), some upper-cased,
some with line numbers, some files with CRLF line ends. Output is deterministic for a seed.

Usage: bench/make_corpus.py OUT_DIR [--gb 3] [--seed 7]
Prints the number of files, the bytes of text, and the gzip ratio of a sample (how far it compresses).
"""
import argparse
import gzip
import os
import random
import sys
import zlib

SHARED = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "shared", "data")

# Re-spellings applied to whole runs of lines: the same letters, other scripts.
RESPELL = [
    str.maketrans("aeiou", "áéíóú"),
    str.maketrans("aou", "äöü"),
    str.maketrans("abvgdezik", "абвгдезик"),
    str.maketrans("abgdezhiklmnoprstu", "αβγδεζηικλμνοπρστυ"),
    str.maketrans("ncs", "ñçš"),
]


def load_lines():
    lines = []
    for name in sorted(os.listdir(SHARED)):
        if name.endswith(".txt"):
            with open(os.path.join(SHARED, name), encoding="utf-8") as f:
                lines.extend(f.read().split("\n"))
    if not lines:
        sys.exit(f"make_corpus: no *.txt in {SHARED} (see ../shared/data/README.md)")
    return lines


class Runs:
    """Produces text in runs of 20-400 consecutive source lines, each run varied at random."""

    def __init__(self, lines, rng):
        self.lines = lines
        self.rng = rng

    def run(self):
        rng = self.rng
        start = rng.randrange(len(self.lines))
        chunk = self.lines[start:start + rng.randint(20, 400)]
        roll = rng.random()
        if roll < 0.25:
            text = "\n".join(chunk).translate(rng.choice(RESPELL))
        elif roll < 0.30:
            text = "\n".join(chunk).upper()
        elif roll < 0.40:
            base = rng.randrange(100000)
            text = "\n".join(f"{base + i}\t{line}" for i, line in enumerate(chunk))
        else:
            text = "\n".join(chunk)
        return text + "\n"

    def text(self, size, newline="\n", long_lines=False):
        parts, n = [], 0
        while n < size:
            part = self.run()
            if long_lines:
                part = part.replace("\n", " ")
            parts.append(part)
            n += len(part)
        text = "".join(parts)
        if long_lines:  # a line end every few megabytes
            step = 4 << 20
            text = "\n".join(text[i:i + step] for i in range(0, len(text), step))
        if newline != "\n":
            text = text.replace("\n", newline)
        return text


def write(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    if path.endswith(".gz"):
        with gzip.open(path, "wb", compresslevel=1) as f:
            f.write(data)
    else:
        with open(path, "wb") as f:
            f.write(data)
    return len(data)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out")
    parser.add_argument("--gb", type=float, default=3.0, help="approximate size in GB of text (default 3)")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    if os.path.exists(args.out) and os.listdir(args.out):
        sys.exit(f"make_corpus: {args.out} exists and is not empty")
    rng = random.Random(args.seed)
    runs = Runs(load_lines(), rng)
    total = int(args.gb * 1e9)
    files, written, sample = 0, 0, []

    def emit(path, size, **kw):
        nonlocal files, written
        data = runs.text(size, **kw).encode("utf-8")
        written += write(os.path.join(args.out, path), data)
        files += 1
        if len(sample) < 8:
            sample.append(data[: 4 << 20])

    # Half in four large files: one with megabyte-long lines, one with CRLF line ends.
    large = total // 8
    emit("large/big-0.txt", large)
    emit("large/big-1-longlines.txt", large, long_lines=True)
    emit("large/big-2-crlf.txt", large, newline="\r\n")
    emit("large/big-3.txt", large)
    # A tenth in gzip files of 8-40 MB of text each (read whole, one task per file).
    target = written + total // 10
    i = 0
    while written < target:
        emit(f"gz/part-{i:03d}.txt.gz", rng.randint(8, 40) << 20)
        i += 1
    # The rest in small files, 1 KB to 400 KB, 100 to a folder.
    i = 0
    while written < total:
        size = int(rng.choice([2, 8, 40, 400]) * 1000 * rng.random()) + 1000
        emit(f"small/d{i // 100:04d}/doc-{i:06d}.txt", size, newline="\r\n" if rng.random() < 0.1 else "\n")
        i += 1
    blob = b"".join(sample)
    ratio = len(blob) / len(zlib.compress(blob, 6))
    print(f"make_corpus: {files:,} files, {written:,} bytes of text in {args.out}; "
          f"gzip -6 ratio of a {len(blob) >> 20} MB sample {ratio:.2f}")


if __name__ == "__main__":
    main()
