package org.pystore.connect.sink;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.errors.RetriableException;

/**
 * Commits item buffers on background threads while the task thread goes on converting records. Each
 * item has one thread (its name's hash picks one of {@code commit.threads}), so the commits of one
 * item run in submission (so offset) order while other items' commits run beside them, their fsyncs
 * overlapping; transactions all run on the first thread, one after the other. Rows in flight still
 * count for offsets and for the memory budget until their commit is harvested, which happens in
 * submission order.
 *
 * <p>Once a commit of an item fails, later commits of that item already in line are not attempted:
 * an item records, per topic-partition, only the next offset it does not hold, so committing a
 * later batch would mark the failed rows as held and they would be dropped when retried. The failed
 * and the skipped rows all go back to the task, which commits them again in order.
 */
final class Committer {
  /** One commit in flight: one item's buffer, or (commit.mode=transaction) many. */
  static final class Job {
    final List<ItemBuffer> rows;
    final Future<?> result;

    /** Per buffer, estimated bytes and rows at submission (the commit thread empties them). */
    final long[] bytes;

    final int[] counts;

    /** Smallest offset per partition at submission; the commit thread may trim its rows. */
    final Map<TopicPartition, Long> first;

    /** Rows the commit refused (the item's schema changed meanwhile), even when it then failed. */
    final List<ItemWriter.Refused> refused;

    final String what;

    Job(
        List<ItemBuffer> rows,
        Future<?> result,
        long[] bytes,
        int[] counts,
        Map<TopicPartition, Long> first,
        List<ItemWriter.Refused> refused,
        String what) {
      this.rows = rows;
      this.result = result;
      this.bytes = bytes;
      this.counts = counts;
      this.first = first;
      this.refused = refused;
      this.what = what;
    }
  }

  /** A commit not attempted because an earlier commit of its item failed. */
  static final class NotAttempted extends RetriableException {
    NotAttempted(String what) {
      super("not attempted: an earlier commit of " + what + " failed");
    }
  }

  private final ItemWriter writer;
  private final ExecutorService[] lanes;
  private final Deque<Job> inFlight = new ArrayDeque<>();

  /** The failure key every transaction shares. */
  private static final String TRANSACTIONS = "transactions";

  /** Items whose last attempted commit failed; written by the commit threads. */
  private final Set<String> failed = ConcurrentHashMap.newKeySet();

  private long bytes;

  Committer(ItemWriter writer, String name, int threads) {
    this.writer = writer;
    this.lanes = new ExecutorService[threads];
    for (int i = 0; i < threads; i++) {
      String thread = "pystore-sink-committer-" + name + (threads == 1 ? "" : "-" + i);
      lanes[i] =
          Executors.newSingleThreadExecutor(
              r -> {
                Thread t = new Thread(r, thread);
                t.setDaemon(true);
                return t;
              });
    }
  }

  /** The thread of a failure key: an item's, or the transactions' (the first). */
  private ExecutorService lane(String key) {
    return lanes[Math.floorMod(key.hashCode(), lanes.length)];
  }

  void submit(ItemBuffer detached) {
    submit(
        List.of(detached),
        detached.key(),
        detached.key(),
        refused -> writer.flush(detached, refused));
  }

  /**
   * Submits one transaction over the buffers of one collection. Transactions share one failure key:
   * any of them may hold any item, so once one fails the later ones wait for its rows.
   */
  void submitTransaction(String collection, List<ItemBuffer> detached) {
    submit(
        detached,
        TRANSACTIONS,
        "a transaction over " + detached.size() + " items of " + collection,
        refused -> writer.flushTransaction(collection, detached, refused));
  }

  private void submit(
      List<ItemBuffer> detached,
      String key,
      String what,
      java.util.function.Consumer<List<ItemWriter.Refused>> commit) {
    long[] b = new long[detached.size()];
    int[] n = new int[detached.size()];
    Map<TopicPartition, Long> first = new java.util.HashMap<>();
    for (int i = 0; i < b.length; i++) {
      ItemBuffer d = detached.get(i);
      b[i] = d.bytes;
      n[i] = d.rows.size();
      bytes += d.bytes;
      d.first.forEach((tp, o) -> first.merge(tp, o, Math::min));
    }
    List<ItemWriter.Refused> refused = new ArrayList<>();
    ExecutorService lane = key.equals(TRANSACTIONS) ? lanes[0] : lane(key);
    Future<?> f =
        lane.submit(
            () -> {
              if (failed.contains(key)) {
                throw new NotAttempted(what);
              }
              try {
                commit.accept(refused);
              } catch (Throwable t) {
                failed.add(key);
                throw t;
              }
              return null;
            });
    inFlight.addLast(new Job(List.copyOf(detached), f, b, n, Map.copyOf(first), refused, what));
  }

  /** Bytes of rows in flight. */
  long bytes() {
    return bytes;
  }

  int size() {
    return inFlight.size();
  }

  /** The smallest in-flight offset of a partition, or -1. */
  long firstOffset(TopicPartition tp) {
    long min = -1;
    for (Job j : inFlight) {
      Long f = j.first.get(tp);
      if (f != null && (min < 0 || f < min)) {
        min = f;
      }
    }
    return min;
  }

  /**
   * What a finished commit gave.
   *
   * @param rows the commit's buffer (after a failure: the rows still to commit)
   * @param refused rows refused because the item's schema changed meanwhile
   * @param failure why the commit failed, or null
   * @param bytes estimated bytes handed over at submission
   * @param count rows handed over at submission
   */
  record Done(
      ItemBuffer rows, List<ItemWriter.Refused> refused, Throwable failure, long bytes, int count) {
    /** Whether the commit was tried and failed (not merely skipped after another's failure). */
    boolean failedItself() {
      return failure != null && !(failure instanceof NotAttempted);
    }
  }

  /**
   * Collects finished commits, oldest first. When one of them failed, waits for every commit in
   * flight, so that the failed item's skipped commits come back in the same harvest, in order; new
   * commits of the item are then attempted again.
   *
   * @param wait wait for every commit in flight
   * @return the finished commits
   */
  List<Done> harvest(boolean wait) {
    List<Done> out = new ArrayList<>();
    boolean waitAll = wait;
    while (!inFlight.isEmpty() && (waitAll || inFlight.peekFirst().result.isDone())) {
      Job j = inFlight.pollFirst();
      Throwable failure;
      try {
        j.result.get();
        failure = null;
      } catch (ExecutionException e) {
        failure = e.getCause();
      } catch (InterruptedException e) {
        // the commit may still run: wait for it rather than guess its outcome
        failure = awaitUninterruptibly(j);
        Thread.currentThread().interrupt();
      }
      for (int i = 0; i < j.rows.size(); i++) {
        bytes -= j.bytes[i];
        // the job's refused rows go with its first buffer, so they are reported once
        out.add(
            new Done(
                j.rows.get(i), i == 0 ? j.refused : List.of(), failure, j.bytes[i], j.counts[i]));
      }
      waitAll |= failure != null;
    }
    if (inFlight.isEmpty()) {
      failed.clear(); // every skipped commit is harvested: its rows go back before any new one
    }
    return out;
  }

  private static Throwable awaitUninterruptibly(Job j) {
    while (true) {
      try {
        j.result.get();
        return null;
      } catch (ExecutionException e) {
        return e.getCause();
      } catch (InterruptedException e) {
        // keep waiting; the caller restores the interrupt
      }
    }
  }

  /** Waits until the oldest commit is done (backpressure). */
  void awaitOldest() {
    Job j = inFlight.peekFirst();
    if (j == null) {
      return;
    }
    try {
      j.result.get(10, TimeUnit.MINUTES);
    } catch (ExecutionException e) {
      // reported by harvest
    } catch (TimeoutException e) {
      throw new ConnectException(
          "a commit of " + j.what + " took over 10 minutes; the store may be unreachable");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Whether any in-flight commit holds rows of these partitions. */
  boolean holdsAny(Collection<TopicPartition> partitions) {
    for (Job j : inFlight) {
      for (TopicPartition tp : partitions) {
        if (j.first.containsKey(tp)) {
          return true;
        }
      }
    }
    return false;
  }

  void shutdown() {
    for (ExecutorService lane : lanes) {
      lane.shutdownNow();
    }
  }
}
