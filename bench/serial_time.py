"""Reads `jfr print` output of bench/PlainFit.java and prints the main thread's samples outside MinibatchParts.run.

The main thread runs slice 0 of every sliced layer inside MinibatchParts.run and everything else (unsliced layers,
DL4J's updater, the step) alone, while the fork-join threads wait. Samples before the timed fit (reading shards,
building the network, compiling PlainFit.java) are left out. Usage: python3 serial_time.py SAMPLES.txt
"""
import collections
import re
import sys

SETUP = ("Minibatches.read", "Manifest.", "Networks.", "ConfigLoader", "Spec.build")

text = open(sys.argv[1], encoding="utf-8").read()
threads = collections.Counter()
serial = collections.Counter()
fitting = 0
for event in re.split(r"\njdk\.(?:ExecutionSample|NativeMethodSample) \{", text):
    thread = re.search(r'sampledThread = "([^"]*)"', event)
    frames = re.findall(r"^\s+([\w.$<>]+)\([^)]*\)\s+line: (\d+)", event, re.M)
    if not thread or not frames:
        continue
    threads[thread.group(1)] += 1
    names = [name for name, _ in frames]
    if thread.group(1) != "main" or not any("PlainFit.main" in n for n in names):
        continue
    if any(marker in n for n in names for marker in SETUP):
        continue
    fitting += 1
    if any("MinibatchParts.run" in n for n in names):
        continue
    nearest = next((f"{n.split('.')[-2]}.{n.split('.')[-1]}:{line}" for n, line in frames
                    if "lmpipe" in n or "deeplearning4j" in n), frames[0][0])
    serial[nearest] += 1

total = sum(serial.values())
print(f"samples per thread: {dict(threads.most_common(3))}")
print(f"main thread while fitting: {fitting} samples, {total} outside MinibatchParts.run "
      f"({100 * total / max(fitting, 1):.1f}%)")
for place, count in serial.most_common(15):
    print(f"{count:6d}  {100 * count / max(fitting, 1):4.1f}%  {place}")
