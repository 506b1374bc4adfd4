package dev.lmpipe.data;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.dataset.DataSet;

import static org.assertj.core.api.Assertions.assertThat;

class MinibatchesTest {
    @Test
    void fromWindowsGivesFeaturesOfShapeBatchOneStepsAndLabelsShiftedByOne() {
        int[][] windows = {
                {1, 2, 3, 4, 5},
                {9, 8, 7, 6, 5},
                {0, 65535, 0, 3, 3}};

        DataSet data = Minibatches.fromWindows(windows);

        assertThat(data.getFeatures().shape()).containsExactly(3, 1, 4);
        assertThat(data.getLabels().shape()).containsExactly(3, 1, 4);
        for (int b = 0; b < windows.length; b++) {
            for (int t = 0; t < 4; t++) {
                assertThat(data.getFeatures().getDouble(b, 0, t)).as("feature %d,%d", b, t).isEqualTo(windows[b][t]);
                assertThat(data.getLabels().getDouble(b, 0, t)).as("label %d,%d", b, t).isEqualTo(windows[b][t + 1]);
            }
        }
    }

    @Test
    void planAndReadGiveTheShardSlices(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) {
        var storage = new dev.lmpipe.storage.Storage();
        int[] ids = new int[100];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = i % 7 + 1;
        }
        var shard = Shards.write(storage, dir.toString(), "train-00000.shard", Split.train, ids);
        var spec = new MinibatchSpec(new int[]{0, 0}, new long[]{10, 50});

        DataSet data = Minibatches.read(storage, dir.toString(), java.util.List.of(shard), spec, 8);

        assertThat(data.getFeatures().shape()).containsExactly(2, 1, 8);
        assertThat(data.getFeatures().getDouble(1, 0, 0)).isEqualTo(ids[50]);
        assertThat(data.getLabels().getDouble(0, 0, 7)).isEqualTo(ids[18]);
        assertThat(data.getLabels().getDouble(1, 0, 7)).isEqualTo(ids[58]);
    }
}
