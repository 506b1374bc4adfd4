package dev.lmpipe.model.runtime;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.lang.reflect.Modifier;
import java.util.Collection;
import java.util.Map;

/** Copies a built DL4J layer configuration into our subclass of it, for the layers whose training pass we write. */
public final class LayerSettings {
    private LayerSettings() {
    }

    /**
     * Every setting of {@code built} declared in {@code type} and its superclasses, copied into {@code into}: DL4J's
     * layer configurations take their settings only through their builders, whose constructors are private.
     */
    public static <T> T copy(Class<? super T> type, Object built, T into) {
        for (Class<?> declaring = type; declaring != Object.class; declaring = declaring.getSuperclass()) {
            for (var field : declaring.getDeclaredFields()) {
                if (Modifier.isStatic(field.getModifiers())) {
                    continue;
                }
                field.setAccessible(true);
                try {
                    field.set(into, field.get(built));
                } catch (IllegalAccessException e) {
                    throw new IllegalStateException("cannot copy " + type.getSimpleName() + " setting "
                            + field.getName(), e);
                }
            }
        }
        return into;
    }

    /** What DL4J's own {@code instantiate} does with a new runtime layer, for our configurations' {@code instantiate}. */
    public static <L extends Layer> L setUp(L layer, NeuralNetConfiguration conf, Collection<TrainingListener> listeners,
                                     int index, INDArray paramsView, Map<String, INDArray> params) {
        layer.setListeners(listeners);
        layer.setIndex(index);
        layer.setParamsViewArray(paramsView);
        layer.setParamTable(params);
        layer.setConf(conf);
        return layer;
    }
}
