package org.pystore.connect.sink;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.errors.ConnectException;

/**
 * Commits item buffers on one background thread, in submission order (so the commits of one item
 * stay in offset order), while the task thread goes on converting records. Rows in flight still
 * count for offsets and for the memory budget until their commit is harvested.
 */
final class Committer {
  /** One commit in flight. */
  static final class Job {
    final ItemBuffer rows;
    final Future<List<SinkRow>> result;
    final long bytes;
    final int count;

    /** Smallest offset per partition at submission; the commit thread may trim its rows. */
    final java.util.Map<TopicPartition, Long> first;

    Job(
        ItemBuffer rows,
        Future<List<SinkRow>> result,
        long bytes,
        int count,
        java.util.Map<TopicPartition, Long> first) {
      this.rows = rows;
      this.result = result;
      this.bytes = bytes;
      this.count = count;
      this.first = first;
    }
  }

  private final ItemWriter writer;
  private final ExecutorService thread;
  private final Deque<Job> inFlight = new ArrayDeque<>();
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
    java.util.Map<TopicPartition, Long> first = java.util.Map.copyOf(detached.first);
    bytes += b;
    inFlight.addLast(new Job(detached, thread.submit(() -> writer.flush(detached)), b, n, first));
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
  record Done(ItemBuffer rows, List<SinkRow> refused, Throwable failure, long bytes, int count) {}

  /**
   * Collects finished commits, oldest first.
   *
   * @param wait wait for every commit in flight
   * @return the finished commits
   */
  List<Done> harvest(boolean wait) {
    List<Done> out = new ArrayList<>();
    while (!inFlight.isEmpty() && (wait || inFlight.peekFirst().result.isDone())) {
      Job j = inFlight.pollFirst();
      bytes -= j.bytes;
      try {
        out.add(new Done(j.rows, j.result.get(), null, j.bytes, j.count));
      } catch (ExecutionException e) {
        out.add(new Done(j.rows, List.of(), e.getCause(), j.bytes, j.count));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        out.add(new Done(j.rows, List.of(), e, j.bytes, j.count));
      }
    }
    return out;
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
          "a commit to " + j.rows.collection + "/" + j.rows.item + " took over 10 minutes");
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
