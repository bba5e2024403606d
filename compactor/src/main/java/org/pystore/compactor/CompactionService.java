package org.pystore.compactor;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import org.pystore.store.Item;
import org.pystore.store.PyCollection;
import org.pystore.store.PyStoreException;
import org.pystore.store.Store;
import org.pystore.store.VacuumReport;
import org.pystore.store.log.ItemState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Compaction and vacuum of a store: plans each item, runs its merges, then vacuums it. A plain
 * service: the Quartz job, the {@code --once} mode and the {@code pystore compact} command all call
 * it. Safe to run in several processes on one store at once: each merge commits only if its inputs
 * are still live, and a losing merge cleans up after itself.
 */
public final class CompactionService implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(CompactionService.class);

  private final Store store;
  private final CompactionOptions options;
  private final Planner planner;
  private final Runner runner;
  private final ExecutorService pool;
  private volatile boolean stopping;

  public CompactionService(Store store, CompactionOptions options) {
    this(store, options, Runner.MIN_ROWS_PER_SLICE);
  }

  /** With another slicing threshold (tests use small buckets). */
  CompactionService(Store store, CompactionOptions options, long minRowsPerSlice) {
    this.store = store;
    this.options = options;
    this.planner = new Planner(options);
    AtomicInteger n = new AtomicInteger();
    ThreadFactory tf =
        r -> {
          Thread t = new Thread(r, "pystore-compact-" + n.incrementAndGet());
          t.setDaemon(true);
          return t;
        };
    this.pool = Executors.newFixedThreadPool(options.threads(), tf);
    this.runner = new Runner(options, pool, () -> stopping, minRowsPerSlice);
  }

  public CompactionOptions options() {
    return options;
  }

  /**
   * Asks a running pass to stop: the merge in progress is abandoned (its files removed) and no
   * other starts. Committed merges stay committed.
   */
  public void stop() {
    stopping = true;
  }

  /** Whether {@link #stop()} was called. */
  public boolean stopping() {
    return stopping;
  }

  /** The plan for one item at its latest version. */
  public Plan plan(Item item) {
    return planner.plan(item.collectionName(), item.name(), item.state());
  }

  /**
   * Plans one item and runs every merge of the plan.
   *
   * @param item the item
   * @return one result per merge
   */
  public List<TaskResult> compact(Item item) {
    ItemState base = item.state();
    Plan plan = planner.plan(item.collectionName(), item.name(), base);
    List<TaskResult> out = new ArrayList<>();
    for (Plan.Task t : plan.tasks()) {
      if (stopping) {
        break;
      }
      TaskResult r = runner.run(item, base, t);
      out.add(r);
      if (r.outcome() == TaskResult.Outcome.COMMITTED) {
        LOG.debug(
            "{}: bucket {} merged {} parts into {} ({} -> {} rows, {} duplicates) in {} ms",
            plan.label(),
            r.bucket(),
            r.inputParts(),
            r.outputParts(),
            r.rowsIn(),
            r.rowsOut(),
            r.duplicatesRemoved(),
            r.millis());
      } else if (r.outcome() == TaskResult.Outcome.REFUSED) {
        LOG.error("{}: bucket {} not merged: {}", plan.label(), r.bucket(), r.message());
      } else {
        LOG.info("{}: bucket {} not merged: {}", plan.label(), r.bucket(), r.message());
      }
    }
    return out;
  }

  /**
   * One pass over some items: compact each, then vacuum it (when vacuum is on). A failing item is
   * logged and reported; the pass goes on.
   *
   * @param scope the collections to visit, or null for every collection
   * @param item one item of the single collection in scope, or null for all
   * @return what was done
   */
  public PassSummary run(List<String> scope, String item) {
    long start = System.nanoTime();
    List<TaskResult> results = new ArrayList<>();
    List<VacuumReport> vacuums = new ArrayList<>();
    List<String> failures = new ArrayList<>();
    long before = 0;
    long after = 0;
    int visited = 0;
    for (Item it : items(scope, item)) {
      if (stopping) {
        break;
      }
      visited++;
      String label = it.collectionName() + "/" + it.name();
      try {
        before += it.state().parts().size();
        List<TaskResult> done = compact(it);
        results.addAll(done);
        for (TaskResult r : done) {
          if (r.outcome() == TaskResult.Outcome.REFUSED) {
            failures.add(label + ": " + r.message());
          }
        }
        if (options.vacuum() && !stopping) {
          vacuums.add(it.vacuum(options.retention(), options.orphanGrace(), false));
        }
        after += it.state().parts().size();
      } catch (PyStoreException | IllegalStateException e) {
        LOG.error("{}: compaction failed: {}", label, e.getMessage(), e);
        failures.add(label + ": " + e.getMessage());
      }
    }
    if (options.vacuum() && item == null && !stopping) {
      for (Item it : deletedItems(scope)) {
        try {
          vacuums.add(it.vacuum(options.retention(), options.orphanGrace(), false));
        } catch (PyStoreException e) {
          String label = it.collectionName() + "/" + it.name();
          LOG.error("{}: vacuum failed: {}", label, e.getMessage(), e);
          failures.add(label + ": " + e.getMessage());
        }
      }
    }
    PassSummary s =
        new PassSummary(
            describe(scope, item),
            visited,
            results,
            vacuums,
            failures,
            before,
            after,
            (System.nanoTime() - start) / 1_000_000);
    LOG.info(s.describe());
    return s;
  }

  /**
   * Vacuums some items without compacting them.
   *
   * @param scope the collections, or null for all
   * @param item one item of the single collection in scope, or null for all
   * @param retention how long replaced parts are kept
   * @param dryRun report only
   * @return one report per item
   */
  public List<VacuumReport> vacuum(
      List<String> scope, String item, Duration retention, boolean dryRun) {
    return vacuum(scope, item, retention, dryRun, (done, total) -> {});
  }

  /** Told after each item of a long run over many. */
  @FunctionalInterface
  public interface ItemsDone {
    /**
     * @param done items done so far
     * @param total items in all
     */
    void done(int done, int total);
  }

  /**
   * Vacuums items as {@link #vacuum(List, String, Duration, boolean)} does, telling how far it is.
   *
   * @param progress called after each item with the items done and the items in all
   */
  public List<VacuumReport> vacuum(
      List<String> scope, String item, Duration retention, boolean dryRun, ItemsDone progress) {
    List<VacuumReport> out = new ArrayList<>();
    List<Item> all = new ArrayList<>(items(scope, item));
    if (item == null) {
      all.addAll(deletedItems(scope)); // their replaced parts wait for vacuum too
    }
    for (Item it : all) {
      out.add(it.vacuum(retention, options.orphanGrace(), dryRun));
      progress.done(out.size(), all.size());
    }
    return out;
  }

  /** Items in a scope whose latest commit deleted them. */
  private List<Item> deletedItems(List<String> scope) {
    List<Item> out = new ArrayList<>();
    for (String c : scope == null ? store.collections(true) : scope) {
      PyCollection col = store.collection(c);
      for (String name : col.deletedItems()) { // none when the collection is not there
        out.add(col.item(name));
      }
    }
    return out;
  }

  /** The items in a scope that exist (have a commit). */
  public List<Item> items(List<String> scope, String item) {
    List<String> collections = scope == null ? store.collections() : scope;
    List<Item> out = new ArrayList<>();
    for (String c : collections) {
      PyCollection col = store.collection(c);
      if (item != null) {
        out.add(col.item(item)); // must exist: state() throws a clear error
        continue;
      }
      for (String name : col.items()) {
        Item it = col.item(name);
        if (it.exists()) {
          out.add(it);
        }
      }
    }
    return out;
  }

  private static String describe(List<String> scope, String item) {
    if (scope == null) {
      return "the store";
    }
    String s = scope.isEmpty() ? "no collections" : String.join(",", scope);
    return item == null ? s : s + "/" + item;
  }

  @Override
  public void close() {
    stopping = true;
    pool.shutdownNow();
  }
}
