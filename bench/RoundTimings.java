import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerApplicationEnd;
import org.apache.spark.scheduler.SparkListenerJobEnd;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.scheduler.SparkListenerTaskEnd;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A SparkListener for bench/round_timings.sh: where an averaging round's time goes besides fitting, from Spark's
 * own timestamps. At the application's end it prints medians over the jobs whose single task ran at least
 * {@code -Dround.minRunMs} (default 300, so that validation and count jobs are left out): the driver's gap between
 * one job's end and the next one's start, the delay from a job's start to its task's launch, and the task's time
 * outside its run (deserialization, result serialization and transfer).
 */
public class RoundTimings extends SparkListener {
    private final long minRunMs = Long.getLong("round.minRunMs", 300);
    private final Map<Integer, Long> jobStart = new HashMap<>();
    private final Map<Integer, Long> jobEnd = new HashMap<>();
    private final Map<Integer, Integer> stageJob = new HashMap<>();
    private final Map<Integer, long[]> task = new HashMap<>(); // job → {launch, finish, run}

    @Override
    public synchronized void onJobStart(SparkListenerJobStart event) {
        jobStart.put(event.jobId(), event.time());
        for (var stages = event.stageIds().iterator(); stages.hasNext(); ) {
            stageJob.put((Integer) stages.next(), event.jobId());
        }
    }

    @Override
    public synchronized void onJobEnd(SparkListenerJobEnd event) {
        jobEnd.put(event.jobId(), event.time());
    }

    @Override
    public synchronized void onTaskEnd(SparkListenerTaskEnd event) {
        Integer job = stageJob.get(event.stageId());
        if (job != null && event.taskMetrics() != null) {
            task.put(job, new long[] {event.taskInfo().launchTime(), event.taskInfo().finishTime(),
                    event.taskMetrics().executorRunTime()});
        }
    }

    @Override
    public synchronized void onApplicationEnd(SparkListenerApplicationEnd event) {
        var gaps = new ArrayList<Long>();
        var launchDelays = new ArrayList<Long>();
        var outsideRun = new ArrayList<Long>();
        var runs = new ArrayList<Long>();
        for (var entry : task.entrySet()) {
            int job = entry.getKey();
            long[] t = entry.getValue();
            if (t[2] < minRunMs || !jobStart.containsKey(job)) {
                continue;
            }
            runs.add(t[2]);
            launchDelays.add(t[0] - jobStart.get(job));
            outsideRun.add(t[1] - t[0] - t[2]);
            if (jobEnd.containsKey(job - 1) && task.containsKey(job - 1) && task.get(job - 1)[2] >= minRunMs) {
                gaps.add(jobStart.get(job) - jobEnd.get(job - 1));
            }
        }
        System.err.printf("round timings over %d rounds (median ms): task run %d, driver gap between rounds %d, "
                        + "job start to task launch %d, task outside its run %d%n", runs.size(), median(runs),
                median(gaps), median(launchDelays), median(outsideRun));
    }

    private static long median(List<Long> values) {
        if (values.isEmpty()) {
            return -1;
        }
        Collections.sort(values);
        return values.get(values.size() / 2);
    }
}
