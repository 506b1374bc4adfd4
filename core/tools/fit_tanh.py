#!/usr/bin/env python3
"""Fits the rational approximation of tanh that dev.lmpipe.model.kernel.Sigmoid uses: tanh(x) ~ x * P(x^2) / Q(x^2) on
[0, 9], P of degree 3 and Q of degree 4 in x^2, Q(0) = 1, by linearised least squares (Sanathanan-Koerner weights
1/Q) with Lawson reweighting towards the largest errors. Prints the coefficients and the largest absolute error of
the float32 evaluation (Horner, as the Java code does it) on 2,000,001 points. Needs numpy. Run: python3 core/tools/fit_tanh.py
"""
import numpy as np

CLAMP = 9.0  # 1 - tanh(9) = 3.0e-8: beyond it tanh is 1 in float
x = np.unique(np.concatenate([np.linspace(0, CLAMP, 60000), CLAMP * (1 - np.cos(np.linspace(0, np.pi / 2, 60000)))]))[1:]
y = np.tanh(x)
x2 = x * x
P_TERMS, Q_TERMS = 4, 4  # p0..p3; q1..q4 (q0 = 1)

weight = np.ones_like(x)
lawson = np.ones_like(x) / len(x)
best = (1.0, None, None)
for iteration in range(300):
    a = np.column_stack([x * x2 ** i for i in range(P_TERMS)] + [-y * x2 ** j for j in range(1, Q_TERMS + 1)])
    w = np.sqrt(lawson) * weight
    solution, *_ = np.linalg.lstsq(a * w[:, None], y * w, rcond=None)
    p = solution[:P_TERMS]
    q = np.concatenate([[1.0], solution[P_TERMS:]])
    qx = sum(q[j] * x2 ** j for j in range(Q_TERMS + 1))
    if qx.min() <= 0:
        break
    err = x * sum(p[i] * x2 ** i for i in range(P_TERMS)) / qx - y
    if np.abs(err).max() < best[0]:
        best = (np.abs(err).max(), p.copy(), q.copy())
    weight = 1 / np.abs(qx)
    lawson = lawson * np.abs(err) ** 0.5
    lawson /= lawson.sum()

_, p, q = best
p32 = p.astype(np.float32)
q32 = q.astype(np.float32)


def tanh32(z):
    z = z.astype(np.float32)
    z2 = z * z
    num = p32[-1]
    for c in p32[-2::-1]:
        num = num * z2 + c
    den = q32[-1]
    for c in q32[-2::-1]:
        den = den * z2 + c
    return z * num / den


z = np.linspace(0, CLAMP, 2000001).astype(np.float32)
error = np.abs(tanh32(z).astype(np.float64) - np.tanh(z.astype(np.float64))).max()
print("p = " + ", ".join("%.9gf" % c for c in p32))
print("q = " + ", ".join("%.9gf" % c for c in q32))
print("largest error of tanh in float: %.3g (of the sigmoid: half of it)" % error)
