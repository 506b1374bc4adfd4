package dev.lmpipe.spark;

import org.apache.spark.TaskFailedReason;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerExecutorAdded;
import org.apache.spark.scheduler.SparkListenerExecutorRemoved;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Says in the job's log what happens to executors: one joins, one is lost (and why), a task fails and is retried.
 * Spark's own messages for these are buried at levels the shipped logging configuration turns down.
 */
final class ExecutorEvents extends SparkListener {
    private static final Logger LOG = LoggerFactory.getLogger(ExecutorEvents.class);

    @Override
    public void onExecutorAdded(SparkListenerExecutorAdded added) {
        LOG.info("executor {} joined on {} with {} core(s)", added.executorId(), added.executorInfo().executorHost(),
                added.executorInfo().totalCores());
    }

    @Override
    public void onExecutorRemoved(SparkListenerExecutorRemoved removed) {
        LOG.warn("executor {} lost: {}; its tasks run again on the executors left (or on its replacement)",
                removed.executorId(), removed.reason());
    }

    @Override
    public void onTaskEnd(SparkListenerTaskEnd end) {
        if (end.reason() instanceof TaskFailedReason failed) {
            LOG.warn("task {} of stage {} (attempt {}) failed on executor {}: {}", end.taskInfo().index(), end.stageId(),
                    end.taskInfo().attemptNumber() + 1, end.taskInfo().executorId(), failed.toErrorString().lines()
                            .findFirst().orElse(""));
        }
    }
}
