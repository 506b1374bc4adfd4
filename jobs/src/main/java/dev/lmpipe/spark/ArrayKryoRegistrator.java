package dev.lmpipe.spark;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.serializers.FieldSerializer;
import com.esotericsoftware.kryo.serializers.JavaSerializer;
import org.apache.spark.serializer.KryoRegistrator;
import org.deeplearning4j.spark.api.worker.NetBroadcastTuple;
import org.deeplearning4j.spark.impl.paramavg.ParameterAveragingTrainingResult;
import org.deeplearning4j.spark.impl.paramavg.aggregator.ParameterAveragingAggregationTuple;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;

import java.io.Serializable;

/**
 * Spark's Kryo serializer as lmpipe uses it (spark.kryo.registrator, set by {@link SparkContexts}): ND4J arrays by
 * {@link ArraySerializer}, field by field inside the objects that carry them between the driver and the workers (the
 * round's broadcast, the workers' results and their aggregation, minibatches), and every other serializable class
 * by Java serialization exactly as before Kryo, so that classes that restore state in {@code readObject} (the
 * vocabulary) or that Kryo 4 cannot build (records) keep working.
 */
public final class ArrayKryoRegistrator implements KryoRegistrator {
    @Override
    public void registerClasses(Kryo kryo) {
        // Kryo looks default serializers up in the order they were added (these before its own built-in ones):
        // arrays first, then any other serializable class, including the JDK's immutable collections, which Kryo's
        // collection serializer cannot rebuild.
        kryo.addDefaultSerializer(INDArray.class, new ArraySerializer());
        kryo.addDefaultSerializer(Serializable.class, new JavaSerializer());
        for (Class<?> carrier : new Class<?>[] {NetBroadcastTuple.class, ParameterAveragingTrainingResult.class,
                ParameterAveragingAggregationTuple.class, DataSet.class}) {
            kryo.register(carrier, new FieldSerializer<>(kryo, carrier));
        }
    }
}
