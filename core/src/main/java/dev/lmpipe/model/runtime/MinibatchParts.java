package dev.lmpipe.model.runtime;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.ArrayList;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import java.util.function.IntConsumer;

/**
 * A minibatch cut into consecutive slices of examples, one per thread, for the layers whose passes we write
 * ourselves: examples are independent until their parameter gradients are summed, so each slice runs the whole
 * forward or backward pass of the layer on its own thread and buffers, and one worker's Adam step still sees the
 * gradient of the whole minibatch. That is what parameter averaging across workers cannot give: two workers with
 * half the minibatch each take Adam steps on noisier gradients, and averaging their parameters does not make up
 * for it (bench/archive/RESULTS-2026-11.md, "quality per character").
 * Slice 0 runs on the calling thread, the others in the common fork-join pool (one thread fewer than the cores).
 */
public final class MinibatchParts {
    /** Fewer examples than this per slice are not worth a thread. */
    static final int MIN_EXAMPLES = 4;

    private final int[] bounds;

    /** {@code threads} slices of {@code examples} (fewer when examples are too few), sizes differing by at most one. */
    public MinibatchParts(int examples, int threads) {
        int parts = Math.max(1, Math.min(threads, examples / MIN_EXAMPLES));
        bounds = new int[parts + 1];
        for (int p = 0; p <= parts; p++) {
            bounds[p] = (int) ((long) examples * p / parts);
        }
    }

    /** {@code threads} if it is at least 1; for the layers' {@code setThreads}. */
    public static int checkThreads(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be at least 1, got " + threads);
        }
        return threads;
    }

    public int count() {
        return bounds.length - 1;
    }

    public int from(int part) {
        return bounds[part];
    }

    public int to(int part) {
        return bounds[part + 1];
    }

    public int size(int part) {
        return to(part) - from(part);
    }

    /** Slice {@code part}'s examples of an array whose first dimension is the minibatch (NCW here): a view. */
    public INDArray of(INDArray minibatch, int part) {
        return minibatch.get(NDArrayIndex.interval(from(part), to(part)), NDArrayIndex.all(), NDArrayIndex.all());
    }

    public int examples() {
        return bounds[bounds.length - 1];
    }

    /** Runs {@code body} for every slice and waits for all; the first failure is rethrown, later ones suppressed. */
    public void run(IntConsumer body) {
        if (count() == 1) {
            body.accept(0);
            return;
        }
        var others = new ArrayList<ForkJoinTask<?>>();
        for (int p = 1; p < count(); p++) {
            int part = p;
            others.add(ForkJoinPool.commonPool().submit(() -> body.accept(part)));
        }
        RuntimeException failure = null;
        try {
            body.accept(0);
        } catch (RuntimeException e) {
            failure = e;
        }
        for (var task : others) {
            try {
                task.join();
            } catch (RuntimeException e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }
}
