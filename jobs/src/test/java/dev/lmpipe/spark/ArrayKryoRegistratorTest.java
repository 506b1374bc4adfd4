package dev.lmpipe.spark;

import dev.lmpipe.text.Source;
import dev.lmpipe.text.Vocabulary;
import org.apache.spark.SparkConf;
import org.apache.spark.serializer.KryoSerializer;
import org.apache.spark.serializer.SerializerInstance;
import org.deeplearning4j.spark.impl.paramavg.ParameterAveragingTrainingResult;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import scala.reflect.ClassTag$;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Spark's Kryo serializer with lmpipe's registrator: what goes between driver and workers comes back equal. */
class ArrayKryoRegistratorTest {
    private final SerializerInstance kryo = new KryoSerializer(new SparkConf()
            .set("spark.kryo.registrator", ArrayKryoRegistrator.class.getName())).newInstance();

    @SuppressWarnings("unchecked")
    private <T> T roundTrip(T value) {
        var bytes = kryo.serialize(value, ClassTag$.MODULE$.apply(Object.class));
        return (T) kryo.deserialize(bytes, ClassTag$.MODULE$.apply(Object.class));
    }

    @Test
    void arraysOfEveryKindComeBackEqual() {
        var matrix = Nd4j.rand(DataType.FLOAT, 37, 53);
        var arrays = List.of(
                matrix,
                matrix.get(NDArrayIndex.interval(3, 20), NDArrayIndex.interval(5, 40)), // a view in the middle
                matrix.dup('f'),
                Nd4j.rand(DataType.DOUBLE, 3, 4, 5),
                Nd4j.createFromArray(1, 2, 3, -4),
                Nd4j.scalar(2.5f),
                Nd4j.rand(DataType.FLOAT, 70_000), // more than one 64 KB block
                Nd4j.empty(DataType.FLOAT),
                Nd4j.create(DataType.FLOAT, 0, 5));
        for (INDArray array : arrays) {
            INDArray back = roundTrip(array);
            assertThat(back.dataType()).isEqualTo(array.dataType());
            assertThat(back.shape()).isEqualTo(array.shape());
            assertThat(back.isEmpty()).isEqualTo(array.isEmpty());
            assertThat(back).isEqualTo(array);
        }
    }

    @Test
    void trainingResultsAndMinibatchesKeepTheirArrays() {
        var parameters = Nd4j.rand(DataType.FLOAT, 1, 1000);
        var updaterState = Nd4j.rand(DataType.FLOAT, 1, 2000);
        var result = roundTrip(new ParameterAveragingTrainingResult(parameters, updaterState, 1.25, null, null, null));
        assertThat(result.getParameters()).isEqualTo(parameters);
        assertThat(result.getUpdaterState()).isEqualTo(updaterState);
        assertThat(result.getScore()).isEqualTo(1.25);

        var minibatch = new DataSet(Nd4j.rand(DataType.FLOAT, 4, 1, 8), Nd4j.rand(DataType.FLOAT, 4, 1, 8));
        DataSet back = roundTrip(minibatch);
        assertThat(back.getFeatures()).isEqualTo(minibatch.getFeatures());
        assertThat(back.getLabels()).isEqualTo(minibatch.getLabels());
    }

    @Test
    @SuppressWarnings("unchecked")
    void serializableClassesAndRecordsComeBackAsJavaSerializationWouldGiveThem() {
        var source = new Source("file:/corpus/a.txt", "a.txt", 123);
        assertThat((Source) roundTrip(source)).isEqualTo(source);
        // What sc.parallelize sends: immutable lists, which Kryo's own collection serializer cannot rebuild.
        var sources = List.of(source, new Source("file:/corpus/b.txt", "b.txt", 4));
        assertThat((List<Source>) roundTrip(sources)).isEqualTo(sources);
        assertThat((List<Integer>) roundTrip(java.util.Arrays.asList(3, 1, 2))).containsExactly(3, 1, 2);
        assertThat((List<Integer>) roundTrip(List.of(7))).containsExactly(7);
        var vocabulary = new Vocabulary(new int[] {'a', 'b', 'é', 0x1F600});
        Vocabulary back = roundTrip(vocabulary);
        assertThat(back.encode("abé\uD83D\uDE00x")).isEqualTo(vocabulary.encode("abé\uD83D\uDE00x"));
    }
}
