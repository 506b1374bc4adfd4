package dev.lmpipe.report;

import dev.lmpipe.eval.EvaluationReport;

import java.util.List;

/**
 * {@code report.json}: every number the HTML page shows. The evaluation of the checkpoint, the run's
 * history, text samples, the charts beside it, and the DL4J Spark statistics page when there is one.
 *
 * @param sparkStatistics file name of DL4J's Spark training timeline beside the report, or null
 */
public record RunReport(EvaluationReport evaluation, RunHistory history, List<Sample> samples,
                        List<Chart.Listing> charts, String sparkStatistics) {

    /** A generated text and how it was generated. */
    public record Sample(String strategy, String prompt, String text) {
    }
}
