package org.pystore.compactor;

import java.util.List;
import org.pystore.store.VacuumReport;

/**
 * What one compaction pass did, over every item it visited.
 *
 * @param scope what the pass covered ({@code *}, a collection, or {@code collection/item})
 * @param items items visited
 * @param results every merge, committed or not
 * @param vacuums vacuum reports (empty when vacuum is off)
 * @param failures items that failed, with the reason (the pass goes on with the others)
 * @param partsBefore live parts of the visited items before the pass
 * @param partsAfter live parts of the visited items after the pass
 * @param millis time taken
 */
public record PassSummary(
    String scope,
    int items,
    List<TaskResult> results,
    List<VacuumReport> vacuums,
    List<String> failures,
    long partsBefore,
    long partsAfter,
    long millis) {

  public PassSummary {
    results = List.copyOf(results);
    vacuums = List.copyOf(vacuums);
    failures = List.copyOf(failures);
  }

  public long merges() {
    return count(TaskResult.Outcome.COMMITTED);
  }

  public long conflicts() {
    return count(TaskResult.Outcome.CONFLICT);
  }

  public long abandoned() {
    return count(TaskResult.Outcome.ABANDONED);
  }

  private long count(TaskResult.Outcome o) {
    return results.stream().filter(r -> r.outcome() == o).count();
  }

  /** Rows rewritten by committed merges. */
  public long rowsIn() {
    return committed().mapToLong(TaskResult::rowsIn).sum();
  }

  public long rowsOut() {
    return committed().mapToLong(TaskResult::rowsOut).sum();
  }

  public long duplicatesRemoved() {
    return committed().mapToLong(TaskResult::duplicatesRemoved).sum();
  }

  public int filesDeleted() {
    return vacuums.stream().mapToInt(VacuumReport::deleted).sum();
  }

  public long bytesFreed() {
    return vacuums.stream().mapToLong(VacuumReport::bytesFreed).sum();
  }

  private java.util.stream.Stream<TaskResult> committed() {
    return results.stream().filter(r -> r.outcome() == TaskResult.Outcome.COMMITTED);
  }

  /** One log line with the figures. */
  public String describe() {
    return String.format(
        java.util.Locale.ROOT,
        "compaction of %s: %d items, %d merges (%d conflicts, %d abandoned, %d failed items),"
            + " parts %d -> %d, rows %d -> %d, %d duplicates removed, vacuum deleted %d files"
            + " (%d bytes), %d ms",
        scope,
        items,
        merges(),
        conflicts(),
        abandoned(),
        failures.size(),
        partsBefore,
        partsAfter,
        rowsIn(),
        rowsOut(),
        duplicatesRemoved(),
        filesDeleted(),
        bytesFreed(),
        millis);
  }
}
