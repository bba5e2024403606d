package org.pystore.compactor;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.function.BooleanSupplier;
import org.apache.avro.generic.GenericRecord;
import org.pystore.store.ConcurrentCommitException;
import org.pystore.store.CorruptPartException;
import org.pystore.store.Item;
import org.pystore.store.ItemNotFoundException;
import org.pystore.store.PartStager;
import org.pystore.store.RowReader;
import org.pystore.store.log.CommitLog;
import org.pystore.store.log.ItemState;
import org.pystore.store.log.LogEntry;
import org.pystore.store.log.PartInfo;

/**
 * Carries out one merge of a {@link Plan}: streams a k-way merge of the input parts through the
 * item's dedupe policy into new parts of the target size, then commits them in place of the inputs.
 * Memory is bounded by the number of inputs open at once, never by their size. With more than one
 * thread, the bucket's time range is cut into slices of about equal rows and each slice is merged
 * and written by its own thread (slices never share an index value).
 *
 * <p>The commit succeeds only if every input is still live; appends that landed meanwhile never
 * conflict. On a conflict, an abandon or any failure, the new parts are deleted; a crash leaves
 * them as orphans under {@code _staging/}, invisible to readers, for vacuum.
 */
final class Runner {
  /** Below this many rows a bucket is merged by one thread: slicing costs more than it saves. */
  static final long MIN_ROWS_PER_SLICE = 100_000;

  private static final int STOP_CHECK_ROWS = 4096;

  private final CompactionOptions options;
  private final ExecutorService pool;
  private final BooleanSupplier stopping;
  private final long minRowsPerSlice;

  Runner(
      CompactionOptions options,
      ExecutorService pool,
      BooleanSupplier stopping,
      long minRowsPerSlice) {
    this.options = options;
    this.pool = pool;
    this.stopping = stopping;
    this.minRowsPerSlice = minRowsPerSlice;
  }

  /** Thrown inside a slice when the compactor is stopping. */
  private static final class Abandoned extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Abandoned() {
      super("abandoned: the compactor is stopping", null, false, false);
    }
  }

  private record SliceResult(List<PartInfo> parts, long rowsOut, long duplicates) {}

  /** A piece of a merge's work: a part copied as it is, or parts merged over an index range. */
  private sealed interface Unit permits Copy, Merge {
    long rows();
  }

  private record Copy(PartInfo part) implements Unit {
    @Override
    public long rows() {
      return part.rows();
    }
  }

  private record Merge(List<PartInfo> parts, long from, long to, long rows) implements Unit {}

  TaskResult run(Item item, ItemState base, Plan.Task task) {
    long start = System.nanoTime();
    String damaged = checkInputs(item, task);
    if (damaged != null) {
      return result(task, TaskResult.Outcome.REFUSED, List.of(), 0, 0, -1, start, damaged);
    }
    List<List<Unit>> slices = slices(task);
    // the inputs' bytes per row predict the output's, compression included
    long rowsPerPart =
        Math.max(
            1, (long) ((double) options.targetBytes() * task.rows() / Math.max(1, task.bytes())));
    List<PartStager> stagers = new ArrayList<>();
    List<PartInfo> staged = new ArrayList<>();
    long rowsOut = 0;
    long duplicates = 0;
    try {
      List<Future<SliceResult>> futures = new ArrayList<>();
      for (List<Unit> units : slices) {
        PartStager stager =
            item.stager(base, Math.multiplyExact(options.targetBytes(), 4), rowsPerPart);
        stagers.add(stager);
        futures.add(pool.submit(() -> work(item, base, units, stager)));
      }
      RuntimeException failure = null;
      for (Future<SliceResult> f : futures) {
        try {
          SliceResult r = f.get();
          staged.addAll(r.parts());
          rowsOut += r.rowsOut();
          duplicates += r.duplicates();
        } catch (ExecutionException e) {
          failure = failure == null ? unwrap(e) : failure;
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          failure = failure == null ? new Abandoned() : failure;
        }
      }
      if (failure != null) {
        throw failure;
      }
    } catch (Abandoned e) {
      stagers.forEach(PartStager::discard);
      return result(task, TaskResult.Outcome.ABANDONED, List.of(), 0, 0, -1, start, e.getMessage());
    } catch (CorruptPartException e) {
      stagers.forEach(PartStager::discard);
      if (inputsGone(item, task)) {
        return result(
            task, TaskResult.Outcome.CONFLICT, List.of(), 0, 0, -1, start, e.getMessage());
      }
      throw e;
    } catch (RuntimeException e) {
      stagers.forEach(PartStager::discard);
      throw e;
    }
    long seq = task.inputs().stream().mapToLong(PartInfo::seq).max().orElse(0);
    List<PartInfo> outputs = new ArrayList<>(staged.size());
    for (PartInfo p : staged) {
      outputs.add(p.withSeq(seq));
    }
    Map<String, Object> info = new LinkedHashMap<>();
    info.put(ItemState.DUPLICATES_REMOVED, duplicates);
    info.put("bucket", task.bucket());
    info.put("rowsIn", task.rows());
    info.put("rowsOut", rowsOut);
    List<String> removed = task.inputs().stream().map(PartInfo::name).toList();
    ItemState after;
    try {
      after =
          item.commitStaged(
              outputs,
              (latest, version) -> {
                if (latest == null) {
                  throw new ItemNotFoundException(item.collectionName(), item.name());
                }
                for (String r : removed) {
                  if (!latest.parts().containsKey(r)) {
                    throw new ConcurrentCommitException(
                        "part "
                            + r
                            + " of '"
                            + item.collectionName()
                            + "/"
                            + item.name()
                            + "' was replaced or removed by another writer while it was being"
                            + " compacted; this merge is abandoned (the next run plans again)");
                  }
                }
                return new LogEntry(
                    LogEntry.FORMAT,
                    version,
                    ItemState.COMPACT,
                    System.currentTimeMillis(),
                    CommitLog.writer(),
                    null,
                    null,
                    outputs,
                    removed,
                    null,
                    null,
                    info);
              });
    } catch (ConcurrentCommitException | ItemNotFoundException e) {
      return result(task, TaskResult.Outcome.CONFLICT, List.of(), 0, 0, -1, start, e.getMessage());
    }
    return result(
        task,
        TaskResult.Outcome.COMMITTED,
        outputs,
        rowsOut,
        duplicates,
        after.version(),
        start,
        null);
  }

  private SliceResult work(Item item, ItemState base, List<Unit> units, PartStager stager) {
    long rows = 0;
    long duplicates = 0;
    for (Unit u : units) {
      if (stopping.getAsBoolean()) {
        throw new Abandoned();
      }
      if (u instanceof Copy c && stager.addPart(c.part())) {
        rows += c.rows(); // no overlap with any other input: its row groups are copied
        continue;
      }
      Merge m =
          u instanceof Merge mm
              ? mm
              : new Merge(List.of(((Copy) u).part()), Long.MIN_VALUE, Long.MAX_VALUE, u.rows());
      try (RowReader reader = item.mergeParts(base, m.parts(), m.from(), m.to())) {
        while (reader.hasNext()) {
          GenericRecord r = reader.next();
          stager.add(r);
          if (++rows % STOP_CHECK_ROWS == 0 && stopping.getAsBoolean()) {
            throw new Abandoned();
          }
        }
        duplicates += reader.duplicatesDropped();
      }
    }
    return new SliceResult(stager.finish(), rows, duplicates);
  }

  /**
   * Cuts a merge's work into at most {@code threads} slices of about equal rows, in index order. A
   * part that overlaps no other input becomes a copy; each group of overlapping parts a merge, cut
   * by index range when it alone is bigger than a slice (rows spread evenly over each part's range
   * is the estimate).
   */
  List<List<Unit>> slices(Plan.Task task) {
    long total = task.rows();
    int n = (int) Math.min(options.threads(), Math.max(1, total / minRowsPerSlice));
    double share = (double) total / n;
    List<Unit> units = new ArrayList<>();
    for (List<PartInfo> g : Planner.overlapGroups(task.inputs())) {
      if (g.size() == 1 && g.get(0).duplicates() == 0) {
        units.add(new Copy(g.get(0)));
        continue;
      }
      long rows = g.stream().mapToLong(PartInfo::rows).sum();
      long lo = g.stream().mapToLong(PartInfo::minIndex).min().orElseThrow();
      long max = g.stream().mapToLong(PartInfo::maxIndex).max().orElseThrow();
      int k = (int) Math.min(n, Math.max(1, Math.round(rows / share)));
      for (int i = 1; i < k && lo <= max; i++) {
        long hi = cut(g, lo, max, rowsUpTo(g, lo - 1) + rows / (double) k);
        if (hi >= max) {
          break;
        }
        units.add(
            new Merge(within(g, lo, hi), lo, hi, (long) (rowsUpTo(g, hi) - rowsUpTo(g, lo - 1))));
        lo = hi + 1;
      }
      units.add(new Merge(within(g, lo, max), lo, max, (long) (rows - rowsUpTo(g, lo - 1))));
    }
    List<List<Unit>> out = new ArrayList<>();
    List<Unit> current = new ArrayList<>();
    double acc = 0;
    for (Unit u : units) {
      if (!current.isEmpty() && out.size() < n - 1 && acc >= share * (out.size() + 1)) {
        out.add(current);
        current = new ArrayList<>();
      }
      current.add(u);
      acc += u.rows();
    }
    out.add(current);
    return out;
  }

  /** The parts that can hold rows in [lo, hi]: only those are opened for that slice. */
  private static List<PartInfo> within(List<PartInfo> parts, long lo, long hi) {
    List<PartInfo> out = new ArrayList<>();
    for (PartInfo p : parts) {
      if (p.overlaps(lo, hi)) {
        out.add(p);
      }
    }
    return out;
  }

  /** The smallest index v in [lo, max] with about {@code target} rows at or below it. */
  private static long cut(List<PartInfo> inputs, long lo, long max, double target) {
    long a = lo;
    long b = max;
    while (a < b) {
      long mid = a + (b - a) / 2;
      if (rowsUpTo(inputs, mid) >= target) {
        b = mid;
      } else {
        a = mid + 1;
      }
    }
    return a;
  }

  private static double rowsUpTo(List<PartInfo> inputs, long v) {
    double n = 0;
    for (PartInfo p : inputs) {
      if (v >= p.maxIndex()) {
        n += p.rows();
      } else if (v >= p.minIndex()) {
        double span = (double) p.maxIndex() - p.minIndex() + 1;
        n += p.rows() * (((double) v - p.minIndex() + 1) / span);
      }
    }
    return n;
  }

  /** Why an input part must not be merged (it fails its check against its commit), or null. */
  private static String checkInputs(Item item, Plan.Task task) {
    // the task's inputs only, not every live part
    for (String bad : item.checkParts(task.inputs()).values()) {
      return "input part fails its check, so the bucket is left as it is: "
          + bad
          + "; run 'pystore verify "
          + item.collectionName()
          + "/"
          + item.name()
          + "' and restore the part from a backup";
    }
    return null;
  }

  private static boolean inputsGone(Item item, Plan.Task task) {
    ItemState latest;
    try {
      latest = item.state();
    } catch (ItemNotFoundException e) {
      return true;
    }
    for (PartInfo p : task.inputs()) {
      if (!latest.parts().containsKey(p.name())) {
        return true;
      }
    }
    return false;
  }

  private static RuntimeException unwrap(ExecutionException e) {
    Throwable c = e.getCause();
    if (c instanceof RuntimeException r) {
      return r;
    }
    if (c instanceof Error err) {
      throw err;
    }
    return new IllegalStateException(c);
  }

  private static TaskResult result(
      Plan.Task task,
      TaskResult.Outcome outcome,
      List<PartInfo> outputs,
      long rowsOut,
      long duplicates,
      long version,
      long startNanos,
      String message) {
    return new TaskResult(
        task.bucket(),
        outcome,
        task.inputs().size(),
        outputs.size(),
        task.rows(),
        rowsOut,
        duplicates,
        task.bytes(),
        outputs.stream().mapToLong(PartInfo::bytes).sum(),
        version,
        (System.nanoTime() - startNanos) / 1_000_000,
        message);
  }
}
