package dev.lmpipe.text;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * How tokenize's tasks share the reading of a corpus: each task reads one list of byte ranges. Plain and bzip2
 * files larger than {@code splitBytes} are cut into ranges of that size, one task each (see
 * {@link Source#splittable}); smaller files and gzip files (read whole) are packed, in source order, into tasks of about {@code splitBytes}. Tasks follow source
 * order, so concatenating their output in task order gives the corpus order, whatever the split size.
 */
public final class ReadPlan {
    private ReadPlan() {
    }

    /**
     * Bytes {@code [start, end)} of one source for one task; {@code whole} when the task reads the entire file,
     * so that decisions about the file (binary, invalid UTF-8) can be taken by the task alone.
     */
    public record Range(int source, long start, long end, boolean whole) implements Serializable {
    }

    public static List<List<Range>> plan(List<Source> sources, long splitBytes, Documents documents) {
        var tasks = new ArrayList<List<Range>>();
        var packing = new ArrayList<Range>();
        long packed = 0;
        for (int i = 0; i < sources.size(); i++) {
            Source source = sources.get(i);
            if (source.splittable(documents) && source.length() > splitBytes) {
                if (!packing.isEmpty()) {
                    tasks.add(List.copyOf(packing));
                    packing.clear();
                    packed = 0;
                }
                for (long start = 0; start < source.length(); start += splitBytes) {
                    tasks.add(List.of(new Range(i, start, Math.min(source.length(), start + splitBytes), false)));
                }
                continue;
            }
            packing.add(new Range(i, 0, Long.MAX_VALUE, true));
            packed += Math.max(1, source.length());
            if (packed >= splitBytes) {
                tasks.add(List.copyOf(packing));
                packing.clear();
                packed = 0;
            }
        }
        if (!packing.isEmpty()) {
            tasks.add(List.copyOf(packing));
        }
        return tasks;
    }
}
