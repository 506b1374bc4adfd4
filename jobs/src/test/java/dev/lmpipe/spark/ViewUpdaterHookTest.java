package dev.lmpipe.spark;

import dev.lmpipe.model.Optimization;
import dev.lmpipe.model.TransformerSpec;
import dev.lmpipe.model.runtime.ViewUpdater;
import org.apache.spark.SparkConf;
import org.apache.spark.serializer.JavaSerializer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.dataset.DataSet;
import scala.reflect.ClassTag$;

import static org.assertj.core.api.Assertions.assertThat;

/** The hook gives a network made as DL4J's Spark workers make theirs lmpipe's updater, Adam's state kept. */
class ViewUpdaterHookTest {
    @Test
    void givesAWorkersNetworkTheViewUpdater() {
        var built = new TransformerSpec(16, 1, 2, 8, 0.0).build(9, new Optimization(0.01, 1.0, 8, 8, 3));
        // As ParameterAveragingTrainingWorker.getInitialModel: configuration, parameters, DL4J's updater and state.
        var worker = new MultiLayerNetwork(built.getLayerWiseConfigurations().clone());
        worker.init(built.params().dup(), false);
        var state = built.getUpdater().getStateViewArray().dup().addi(0.5);
        worker.setUpdater(new org.deeplearning4j.nn.updater.MultiLayerUpdater(worker, state));

        // The hook goes to the executors with the worker: through Spark's closure serializer.
        var serializer = new JavaSerializer(new SparkConf()).newInstance();
        var tag = ClassTag$.MODULE$.<ViewUpdaterHook>apply(ViewUpdaterHook.class);
        ViewUpdaterHook hook = serializer.deserialize(serializer.serialize(new ViewUpdaterHook(), tag), tag);
        hook.preUpdate((DataSet) null, worker);

        assertThat(worker.getUpdater()).isInstanceOf(ViewUpdater.class);
        assertThat(worker.getUpdater().getStateViewArray()).isEqualTo(state);
    }
}
