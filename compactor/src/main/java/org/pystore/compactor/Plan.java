package org.pystore.compactor;

import java.util.List;
import org.pystore.store.log.PartInfo;

/**
 * The work chosen for one item at one version: immutable, printable ({@code pystore compact
 * --dry-run}), and carried out by a {@link Runner}.
 *
 * @param collection the collection
 * @param item the item
 * @param version the item version the plan was made from
 * @param liveParts live parts at that version
 * @param tasks one task per merge, in time order
 */
public record Plan(String collection, String item, long version, int liveParts, List<Task> tasks) {

  public Plan {
    tasks = List.copyOf(tasks);
  }

  /**
   * One merge: input parts of one bucket that are replaced by new parts holding the same rows,
   * sorted and deduplicated.
   *
   * @param bucket the bucket label
   * @param inputs the parts merged; closed under overlap (no other part overlaps them)
   * @param reason why the planner chose them
   */
  public record Task(String bucket, List<PartInfo> inputs, String reason) {
    public Task {
      inputs = List.copyOf(inputs);
    }

    /** Rows over the inputs, before dedupe. */
    public long rows() {
      return inputs.stream().mapToLong(PartInfo::rows).sum();
    }

    /** Bytes over the inputs. */
    public long bytes() {
      return inputs.stream().mapToLong(PartInfo::bytes).sum();
    }
  }

  /** Whether there is nothing to do. */
  public boolean isEmpty() {
    return tasks.isEmpty();
  }

  /** The item as {@code collection/item}. */
  public String label() {
    return collection + "/" + item;
  }

  /** A human-readable description, one line per task. */
  public String describe() {
    StringBuilder b = new StringBuilder();
    b.append(label())
        .append(" at version ")
        .append(version)
        .append(": ")
        .append(liveParts)
        .append(" live parts, ")
        .append(tasks.size())
        .append(tasks.size() == 1 ? " merge" : " merges")
        .append('\n');
    for (Task t : tasks) {
      b.append("  bucket ")
          .append(t.bucket())
          .append(": merge ")
          .append(t.inputs().size())
          .append(" parts (")
          .append(t.rows())
          .append(" rows, ")
          .append(t.bytes())
          .append(" bytes): ")
          .append(t.reason())
          .append('\n');
    }
    return b.toString();
  }
}
