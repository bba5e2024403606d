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
 * Commits item buffers on one background thread, in submission order (so the commits of one item
 * stay in offset order), while the task thread goes on converting records. Rows in flight still
 * count for offsets and for the memory budget until their commit is harvested.
 *
 * <p>Once a commit of an item fails, later commits of that item already in line are not attempted:
 * an item records, per topic-partition, only the next offset it does not hold, so committing a
 * later batch would mark the failed rows as held and they would be dropped when retried. The failed
 * and the skipped rows all go back to the task, which commits them again in order.
 */
final class Committer {
  /** One commit in flight. */
  static final class Job {
    final ItemBuffer rows;
    final Future<?> result;
    final long bytes;
    final int count;

    /** Smallest offset per partition at submission; the commit thread may trim its rows. */
    final Map<TopicPartition, Long> first;

    /** Rows the commit refused (the item's schema changed meanwhile), even when it then failed. */
    final List<ItemWriter.Refused> refused;

    Job(
        ItemBuffer rows,
        Future<?> result,
        long bytes,
        int count,
        Map<TopicPartition, Long> first,
        List<ItemWriter.Refused> refused) {
      this.rows = rows;
      this.result = result;
      this.bytes = bytes;
      this.count = count;
      this.first = first;
      this.refused = refused;
    }
  }

  /** A commit not attempted because an earlier commit of its item failed. */
  static final class NotAttempted extends RetriableException {
    NotAttempted(String item) {
      super("not attempted: an earlier commit of " + item + " failed");
    }
  }

  private final ItemWriter writer;
  private final ExecutorService thread;
  private final Deque<Job> inFlight = new ArrayDeque<>();

  /** Items whose last attempted commit failed; written by the commit thread. */
  private final Set<String> failed = ConcurrentHashMap.newKeySet();

  private long bytes;

  Committer(ItemWriter writer, String name) {
    this.writer = writer;
    this.thread =
        Executors.newSingleThreadExecutor(
            r -> {
              Thread t = new Thread(r, "pystore-sink-committer-" + name);
              t.setDaemon(true);
              return t;
            });
  }

  void submit(ItemBuffer detached) {
    long b = detached.bytes;
    int n = detached.rows.size();
    Map<TopicPartition, Long> first = Map.copyOf(detached.first);
    List<ItemWriter.Refused> refused = new ArrayList<>();
    String key = detached.key();
    bytes += b;
    Future<?> f =
        thread.submit(
            () -> {
              if (failed.contains(key)) {
                throw new NotAttempted(key);
              }
              try {
                writer.flush(detached, refused);
              } catch (Throwable t) {
                failed.add(key);
                throw t;
              }
              return null;
            });
    inFlight.addLast(new Job(detached, f, b, n, first, refused));
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
      bytes -= j.bytes;
      Done d;
      try {
        j.result.get();
        d = new Done(j.rows, j.refused, null, j.bytes, j.count);
      } catch (ExecutionException e) {
        d = new Done(j.rows, j.refused, e.getCause(), j.bytes, j.count);
      } catch (InterruptedException e) {
        // the commit may still run: wait for it rather than guess its outcome
        d = new Done(j.rows, j.refused, awaitUninterruptibly(j), j.bytes, j.count);
        Thread.currentThread().interrupt();
      }
      out.add(d);
      waitAll |= d.failure() != null;
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
          "a commit to " + j.rows.key() + " took over 10 minutes; the store may be unreachable");
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
    thread.shutdownNow();
  }
}
