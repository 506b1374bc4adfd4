package dev.lmpipe.model.runtime;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import static org.assertj.core.api.Assertions.assertThat;

/** SliceGradients against ND4J's assign and addi, which it stands in for. */
class SliceGradientsTest {
    /** What SliceGradients replaces: the first part assigned, the others added in order. */
    private static INDArray nd4jSum(INDArray[] parts) {
        INDArray sum = parts[0].dup();
        for (int p = 1; p < parts.length; p++) {
            sum.addi(parts[p]);
        }
        return sum;
    }

    private static INDArray[] parts(int count, char order, long... shape) {
        Nd4j.getRandom().setSeed(count * 31L + shape[0]);
        INDArray[] parts = new INDArray[count];
        for (int p = 0; p < count; p++) {
            // Values of different magnitudes, where the order of the additions shows in the last bits.
            parts[p] = Nd4j.rand(DataType.FLOAT, shape).muli(Math.pow(10, p)).dup(order);
        }
        return parts;
    }

    @Test
    void sharesSumIntoAViewOfFlatMemoryAsNd4jDoesBitForBit() {
        // A gradient view as DL4J hands them out: a stretch of one flat array, reshaped.
        INDArray flat = Nd4j.zeros(DataType.FLOAT, 1, 7 + 3000 * 3 + 5);
        INDArray view = flat.get(NDArrayIndex.point(0), NDArrayIndex.interval(7, 7 + 3000 * 3)).reshape('c', 3000, 3);
        INDArray[] parts = parts(3, 'c', 3000, 3);

        // Shares of 9,000 elements: ranges that cut through the 1,024-float chunks.
        for (int share = 0; share < 4; share++) {
            SliceGradients.sum(view, parts, share, 4);
        }

        assertThat(view).isEqualTo(nd4jSum(parts));
        assertThat(flat.getFloat(0, 6)).isZero();
        assertThat(flat.getFloat(0, 7 + 9000)).isZero();
    }

    @Test
    void partsLaidOutOtherwiseAreSummedWholeByTheFirstShare() {
        INDArray into = Nd4j.create(DataType.FLOAT, new long[] {40, 30}, 'f');
        INDArray[] parts = parts(2, 'c', 40, 30);

        SliceGradients.sum(into, parts, 1, 2);
        assertThat(into.sumNumber().doubleValue()).isZero();
        SliceGradients.sum(into, parts, 0, 2);

        assertThat(into).isEqualTo(nd4jSum(parts));
    }

    @Test
    void vectorsOfEitherOrderAreSummedInPlace() {
        INDArray into = Nd4j.create(DataType.FLOAT, new long[] {1, 2500}, 'f');
        INDArray[] parts = parts(2, 'c', 1, 2500);

        SliceGradients.sum(into, parts, 0, 2);
        assertThat(into.get(NDArrayIndex.point(0), NDArrayIndex.interval(1250, 2500)).sumNumber().doubleValue())
                .isZero();
        SliceGradients.sum(into, parts, 1, 2);

        assertThat(into).isEqualTo(nd4jSum(parts));
    }
}
