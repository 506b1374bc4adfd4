#!/usr/bin/env python3
"""Writes a folder of hostile input for `lmpipe tokenize`: the bundled sample cut into files, with bad files
planted among them, each of the kind users drop into a corpus by mistake.

    good-NN.txt        pieces of data-samples/sample.txt (UTF-8, LF)
    windows.txt        CRLF line ends and a byte-order mark
    nfd.txt            accents as combining marks (NFD), and a surrogate-pair emoji
    latin1.txt         Latin-1 bytes, invalid as UTF-8 (é as 0xE9): replaced, skipped or fatal by invalidUtf8
    photo.jpg.txt      binary: a JPEG-like header with NUL bytes
    terminal.log.txt   binary by share: ANSI escape sequences and other control characters everywhere
    empty.txt          nothing
    notes.gz           gzip-compressed text
    cut.txt.gz         gzip cut in half, as an interrupted copy leaves it: skipped or fatal by corrupt
    .hidden.txt        a hidden file, never read

Usage: data-samples/make_hostile.py OUT_DIR
"""
import gzip
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(HERE, "sample.txt"), encoding="utf-8") as f:
        lines = f.read().split("\n")
    pieces = 6
    step = len(lines) // pieces
    files = {}
    for i in range(pieces):
        files[f"good-{i:02d}.txt"] = ("\n".join(lines[i * step:(i + 1) * step]) + "\n").encode("utf-8")
    files["windows.txt"] = b"\xef\xbb\xbf" + "\r\n".join(lines[:200]).encode("utf-8") + b"\r\n"
    files["nfd.txt"] = ("Cafe\u0301 au lait, nai\u0308ve re\u0301sume\u0301, smile \U0001F600.\n" * 50).encode("utf-8")
    files["latin1.txt"] = ("Café, naïve, résumé, 25 °C.\n" * 40).encode("latin-1")
    files["photo.jpg.txt"] = bytes([0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10]) + b"JFIF\x00" + bytes(range(256)) * 8
    files["terminal.log.txt"] = ("\x1b[1;32mok\x1b[0m\x07\x08\x1b[2K\r" * 300).encode("ascii")
    files["empty.txt"] = b""
    files[".hidden.txt"] = b"never read\n"
    for name, data in files.items():
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)
    with gzip.open(os.path.join(out, "notes.gz"), "wb") as f:
        f.write(("\n".join(lines[-300:]) + "\n").encode("utf-8"))
    # mtime=0: the same bytes every run, so the cut falls at the same place.
    whole = gzip.compress(("\n".join(lines[:600]) + "\n").encode("utf-8"), mtime=0)
    with open(os.path.join(out, "cut.txt.gz"), "wb") as f:
        f.write(whole[:len(whole) // 2])
    print(f"make_hostile: {len(files) + 2} files in {out}")


if __name__ == "__main__":
    main()
