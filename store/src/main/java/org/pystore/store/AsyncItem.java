package org.pystore.store;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;

/**
 * An item's writes and reads as {@link CompletableFuture}s, run on an executor the caller chooses
 * (or a shared pool of daemon threads). Each call does what its blocking twin on {@link Item} does,
 * with the same guarantees: concurrent appends from any number of futures (or processes) all land,
 * each as one commit.
 *
 * <p><b>Cancellation.</b> {@code cancel()} on a write's or append's future succeeds (returns true)
 * only while the commit has not started: the staged parts are then discarded, or never written, and
 * the item is exactly as it was. Once the commit is under way, {@code cancel()} returns false and
 * the future completes with the commit's result, so a cancelled future always means nothing was
 * committed. Reads may be cancelled at any time; a cancelled read's rows are dropped.
 */
public final class AsyncItem {
  static final ExecutorService SHARED =
      Executors.newCachedThreadPool(
          r -> {
            Thread t = new Thread(r, "pystore-async");
            t.setDaemon(true);
            return t;
          });

  private final Item item;
  private final Executor executor;

  private AsyncItem(Item item, Executor executor) {
    this.item = item;
    this.executor = executor;
  }

  /** The item's async operations on a shared pool of daemon threads. */
  public static AsyncItem of(Item item) {
    return new AsyncItem(item, SHARED);
  }

  /** The item's async operations on the caller's executor (blocking I/O runs on it). */
  public static AsyncItem of(Item item, Executor executor) {
    if (item == null || executor == null) {
      throw new IllegalArgumentException("an async item needs an item and an executor");
    }
    return new AsyncItem(item, executor);
  }

  /** The item. */
  public Item item() {
    return item;
  }

  /** {@link Item#write(Schema, Collection, ItemOptions, Map, boolean)}, asynchronously. */
  public CompletableFuture<CommitResult> write(
      Schema schema,
      Collection<? extends GenericRecord> rows,
      ItemOptions options,
      Map<String, Object> metadata,
      boolean overwrite) {
    return commit(gate -> item.write(schema, rows, options, metadata, overwrite, gate));
  }

  /** {@link Item#append(Collection)}, asynchronously. */
  public CompletableFuture<CommitResult> append(Collection<? extends GenericRecord> rows) {
    return commit(gate -> item.append(rows, null, null, gate));
  }

  /** {@link Item#append(Collection, Map)} (rows with their source offsets), asynchronously. */
  public CompletableFuture<CommitResult> append(
      Collection<? extends GenericRecord> rows, Map<String, Long> offsets) {
    return commit(gate -> item.append(rows, offsets, null, gate));
  }

  /**
   * Reads every row the options select into memory, in index order, deduplicated, pinned to one
   * version, as {@link Item#read(ReadOptions)} does.
   */
  public CompletableFuture<List<GenericRecord>> readAll(ReadOptions options) {
    CompletableFuture<List<GenericRecord>> f = new CompletableFuture<>();
    executor.execute(
        () -> {
          if (f.isDone()) {
            return; // cancelled before it started
          }
          try (RowReader r = item.read(options)) {
            List<GenericRecord> rows = new ArrayList<>();
            while (r.hasNext() && !f.isDone()) {
              rows.add(r.next());
            }
            f.complete(rows);
          } catch (Throwable t) {
            f.completeExceptionally(t);
          }
        });
    return f;
  }

  /** Runs a commit on the executor behind a future that cancels only before the commit. */
  private CompletableFuture<CommitResult> commit(Function<BooleanSupplier, CommitResult> work) {
    CommitFuture<CommitResult> f = new CommitFuture<>();
    executor.execute(
        () -> {
          if (f.isCancelled()) {
            return; // nothing staged yet
          }
          try {
            f.completeCommitted(work.apply(f::enterCommit));
          } catch (CancellationException e) {
            // cancelled while staging: the parts were discarded, the future is cancelled already
          } catch (Throwable t) {
            f.completeExceptionally(t);
          }
        });
    return f;
  }

  /** A future whose cancel() wins only before its commit starts. */
  static final class CommitFuture<T> extends CompletableFuture<T> {
    private static final int PENDING = 0;
    private static final int COMMITTING = 1;
    private static final int CANCELLED = 2;
    private final AtomicInteger phase = new AtomicInteger(PENDING);

    /** The gate the commit asks just before it writes its entry. */
    boolean enterCommit() {
      return phase.compareAndSet(PENDING, COMMITTING) || phase.get() == COMMITTING;
    }

    void completeCommitted(T r) {
      super.complete(r);
    }

    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
      if (phase.compareAndSet(PENDING, CANCELLED)) {
        return super.cancel(false); // the running task sees it at the gate; never interrupted
      }
      return phase.get() == CANCELLED && isCancelled();
    }

    @Override
    public boolean complete(T value) {
      return false; // only the commit completes it: a caller's complete() would hide its outcome
    }
  }
}
