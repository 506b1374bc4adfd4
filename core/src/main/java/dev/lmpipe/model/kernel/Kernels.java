package dev.lmpipe.model.kernel;

import org.nd4j.linalg.factory.Nd4j;

import java.util.Arrays;

/**
 * Which code runs a network's layers in this JVM: lmpipe's kernels (Java and OpenBLAS on host memory) or each
 * layer's DL4J or SameDiff definition. A GPU backend always takes the DL4J path, since the kernels read the arrays'
 * host memory; on the CPU the system property {@value #PROPERTY} {@code = dl4j} makes it take that path too, so the
 * code a GPU executor runs is trained, evaluated and generated from end to end where there is no GPU
 * ({@code Dl4jKernelsIT}). Read at every decision, not once: a test can run both paths in one JVM.
 */
public enum Kernels {
    /** lmpipe's kernels wherever a layer has them: the default, and the fast path on the CPU. */
    fast,
    /** DL4J's layers and the SameDiff graphs of lmpipe's own layers, as on a GPU. */
    dl4j;

    /** The system property that chooses; Spark executors are given the driver's value. */
    public static final String PROPERTY = "lmpipe.kernels";

    /** The path the property asks for ({@link #fast} when it is not set); fails naming the property when invalid. */
    public static Kernels selected() {
        String value = System.getProperty(PROPERTY);
        if (value == null) {
            return fast;
        }
        try {
            return valueOf(value.strip());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("-D" + PROPERTY + "=" + value + " is not one of "
                    + Arrays.toString(values()));
        }
    }

    /** Whether lmpipe's kernels may run here: ND4J's CPU backend, and the property does not ask for DL4J's path. */
    public static boolean onHost() {
        return selected() == fast && Nd4j.getEnvironment().isCPU();
    }

    /** Which code runs the layers in this JVM, and where, for a job's first lines. */
    public static String describe() {
        if (onHost()) {
            return "lmpipe's kernels on the CPU";
        }
        return Nd4j.getEnvironment().isCPU() ? "DL4J's layers on the CPU (" + PROPERTY + " = dl4j)" : "DL4J's layers on the GPU";
    }
}
