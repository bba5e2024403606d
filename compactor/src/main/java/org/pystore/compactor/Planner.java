package org.pystore.compactor;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.pystore.store.log.ItemState;
import org.pystore.store.log.PartInfo;

/**
 * Chooses what to merge in one item. Works on part statistics alone (no file is opened).
 *
 * <p>Within each time bucket, parts are ordered by their first index and grouped into overlap
 * groups: parts whose index ranges overlap, directly or through others. A group of two or more
 * parts may hold rows the dedupe policy drops and makes every read merge, so it is always merged. A
 * single part is merged only when it is small (below {@code smallFraction * targetBytes}) or holds
 * rows the dedupe policy drops (one write held the same row twice). A merge takes a run of
 * consecutive groups that are overlapping or small; a large non-overlapping part ends a run and is
 * never rewritten. A run of small parts alone is merged once it holds at least {@code minParts}
 * parts.
 *
 * <p>Each task's inputs are closed under overlap, and its output spans no other part's range, so
 * replacing the inputs by one merged part of the newest input's data age keeps every read equal,
 * whatever the dedupe policy.
 */
public final class Planner {
  private final CompactionOptions options;

  public Planner(CompactionOptions options) {
    this.options = options;
  }

  /**
   * Plans one item.
   *
   * @param collection the collection name
   * @param item the item name
   * @param state the item's state
   * @return the plan; empty when nothing is worth doing
   */
  public Plan plan(String collection, String item, ItemState state) {
    Map<String, List<PartInfo>> buckets = new LinkedHashMap<>();
    for (PartInfo p : state.parts().values()) {
      buckets.computeIfAbsent(p.bucket(), b -> new ArrayList<>()).add(p);
    }
    List<Plan.Task> tasks = new ArrayList<>();
    List<String> labels = new ArrayList<>(buckets.keySet());
    labels.sort(Comparator.naturalOrder());
    for (String bucket : labels) {
      planBucket(bucket, buckets.get(bucket), tasks);
    }
    tasks.sort(Comparator.comparingLong(t -> t.inputs().get(0).minIndex()));
    return new Plan(collection, item, state.version(), state.parts().size(), tasks);
  }

  private void planBucket(String bucket, List<PartInfo> parts, List<Plan.Task> out) {
    if (parts.size() < 2 && parts.get(0).duplicates() == 0) {
      return;
    }
    List<List<PartInfo>> groups = overlapGroups(parts);
    // runs of consecutive mergeable groups
    List<PartInfo> run = new ArrayList<>();
    int overlapping = 0;
    for (List<PartInfo> g : groups) {
      PartInfo first = g.get(0);
      boolean mergeable =
          g.size() > 1 || first.bytes() < options.smallBytes() || first.duplicates() > 0;
      if (mergeable) {
        run.addAll(g);
        overlapping += g.size() > 1 ? 1 : 0;
      } else {
        emit(bucket, run, overlapping, out);
        run = new ArrayList<>();
        overlapping = 0;
      }
    }
    emit(bucket, run, overlapping, out);
  }

  /** Whether merging a run of small parts would leave fewer parts (else it would never settle). */
  private boolean fewerParts(List<PartInfo> run) {
    long bytes = run.stream().mapToLong(PartInfo::bytes).sum();
    long outputs = (bytes + options.targetBytes() - 1) / options.targetBytes();
    return outputs < run.size();
  }

  /**
   * Parts grouped by overlap, in index order: parts whose index ranges overlap, directly or through
   * others, share a group; groups are disjoint in index.
   */
  static List<List<PartInfo>> overlapGroups(List<PartInfo> parts) {
    List<PartInfo> sorted = new ArrayList<>(parts);
    sorted.sort(
        Comparator.comparingLong(PartInfo::minIndex)
            .thenComparingLong(PartInfo::maxIndex)
            .thenComparing(PartInfo::name));
    List<List<PartInfo>> groups = new ArrayList<>();
    List<PartInfo> group = new ArrayList<>();
    long groupMax = Long.MIN_VALUE;
    for (PartInfo p : sorted) {
      if (!group.isEmpty() && p.minIndex() > groupMax) {
        groups.add(group);
        group = new ArrayList<>();
      }
      group.add(p);
      groupMax = group.size() == 1 ? p.maxIndex() : Math.max(groupMax, p.maxIndex());
    }
    if (!group.isEmpty()) {
      groups.add(group);
    }
    return groups;
  }

  private void emit(String bucket, List<PartInfo> run, int overlapping, List<Plan.Task> out) {
    long dupRows = run.stream().mapToLong(PartInfo::duplicates).sum();
    if (run.isEmpty() || (run.size() < 2 && dupRows == 0)) {
      return;
    }
    List<String> why = new ArrayList<>();
    if (overlapping > 0) {
      why.add(
          overlapping
              + (overlapping == 1 ? " group" : " groups")
              + " of overlapping parts (reads merge them; may hold duplicates)");
    }
    if (dupRows > 0) {
      why.add(dupRows + " duplicate rows inside parts");
    }
    if (why.isEmpty() && run.size() >= options.minParts() && fewerParts(run)) {
      why.add(
          run.size()
              + " small parts (each under "
              + options.smallBytes()
              + " bytes; at least "
              + options.minParts()
              + " trigger a merge)");
    }
    if (!why.isEmpty()) {
      out.add(new Plan.Task(bucket, run, String.join("; ", why)));
    }
  }
}
