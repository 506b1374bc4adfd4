"""Reads `jfr print` output of bench/PlainFit.java and prints where a training step's thread time goes.

Samples of the threads that fit (main, which runs slice 0 and everything unsliced, and the fork-join workers, which
run the other slices) are grouped by what runs: OpenBLAS's sgemm by the kernel method that calls it (the attention's
per-example, per-head products apart from the layers' products), every other native call (ND4J's ops) by the
nearest lmpipe or DL4J frame, and Java code by its own method. JFR takes a thread in Java code every 10 ms and one in
native code every 20 ms (its `profile` settings), so a native sample counts twice; JFR misses some samples of both
kinds, so the shares are of the time sampled, not of the wall clock. Samples before the timed fit (reading shards,
building the network, compiling PlainFit.java) are left out. Usage: python3 step_profile.py SAMPLES.txt
"""
import collections
import re
import sys

SETUP = ("Minibatches.read", "Manifest.", "Networks.", "ConfigLoader", "Spec.build", "PlainFit.<clinit>")
PERIOD_MS = {"ExecutionSample": 10, "NativeMethodSample": 20}
ATTENTION = ("TransformerBlockKernel.attention", "TransformerBlockKernel.attentionBackward")

def short(frame):
    return ".".join(frame.split(".")[-2:])


text = open(sys.argv[1], encoding="utf-8").read()
kinds = collections.Counter()
groups = collections.Counter()
for kind, event in re.findall(r"jdk\.(ExecutionSample|NativeMethodSample) \{(.*?)\n\}", text, re.S):
    thread = re.search(r'sampledThread = "([^"]*)"', event)
    frames = re.findall(r"^\s+([\w.$<>]+)\(", event, re.M)
    if not thread or not frames:
        continue
    name = thread.group(1)
    if name == "main":
        if not any("PlainFit.main" in f for f in frames) or any(m in f for f in frames for m in SETUP):
            continue
    elif not name.startswith("ForkJoinPool.commonPool-worker"):
        continue
    top = frames[0]
    # The nearest lmpipe method, past a helper that only forwards a product to OpenBLAS.
    nearest = next((short(f) for f in frames if f.startswith("dev.lmpipe") and not f.endswith(".gemm")), None)
    if kind == "NativeMethodSample" and top.endswith("cblas_sgemm"):
        group = ("products: attention, per example and head" if nearest in ATTENTION
                 else f"products: {nearest}")
    elif kind == "NativeMethodSample":
        dl4j = next((short(f) for f in frames if f.startswith("org.deeplearning4j")), None)
        group = f"native {short(top)} in {nearest or dl4j or '?'}"
    elif top.startswith("dev.lmpipe"):
        group = f"Java {short(top)}"
    else:
        group = f"Java (DL4J, ND4J, JDK) in {nearest or short(top)}"
    kinds[kind] += PERIOD_MS[kind]
    groups[group] += PERIOD_MS[kind]

total = sum(groups.values())
if total == 0:
    sys.exit("step_profile: no samples of the fitting threads")
print(f"sampled thread time while fitting: {total / 1000:.1f} s "
      f"({100 * kinds['NativeMethodSample'] / total:.1f}% in native code)")
products = sum(v for k, v in groups.items() if k.startswith("products"))
print(f"OpenBLAS sgemm: {100 * products / total:.1f}%")
for group, ms in groups.most_common(25):
    print(f"{100 * ms / total:5.1f}%  {group}")
