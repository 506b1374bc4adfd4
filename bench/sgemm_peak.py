"""The machine's single-precision matrix-product peak, in GFLOP/s: the best of several 2048^3 sgemm calls through
PyTorch on OpenBLAS (one torch thread, OpenBLAS on every core, as the reference runs). Prints the figure alone, so
that a benchmark can take it as its MFU denominator: bench/vs_pytorch.sh runs it before each pair.
"""
import time

import torch

torch.set_num_threads(1)
n = 2048
a = torch.randn(n, n)
b = torch.randn(n, n)
for _ in range(3):
    torch.mm(a, b)
best = float("inf")
for _ in range(10):
    start = time.perf_counter()
    torch.mm(a, b)
    best = min(best, time.perf_counter() - start)
print(f"{2 * n ** 3 / best / 1e9:.1f}")
