package org.pystore.store;

import java.io.IOException;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A {@link CommitHook} that makes chosen steps fail as the storage would: an I/O error (a full disk
 * for a moment) thrown as {@link StoreIOException}. Tests arm a step to fail its next {@code n}
 * visits, optionally after letting some pass, and count what was injected. Thread-safe.
 */
public final class Faults implements CommitHook {
  private final Map<CommitStep, AtomicInteger> skip = new EnumMap<>(CommitStep.class);
  private final Map<CommitStep, AtomicInteger> fail = new EnumMap<>(CommitStep.class);
  private final Map<CommitStep, AtomicInteger> seen = new EnumMap<>(CommitStep.class);
  private final AtomicInteger injected = new AtomicInteger();

  public Faults() {
    for (CommitStep s : CommitStep.values()) {
      skip.put(s, new AtomicInteger());
      fail.put(s, new AtomicInteger());
      seen.put(s, new AtomicInteger());
    }
  }

  /** The steps every append, write or sink commit goes through, in order. */
  public static java.util.stream.Stream<CommitStep> appendSteps() {
    return java.util.stream.Stream.of(
        CommitStep.PARTS_STAGED,
        CommitStep.ENTRY_STAGED,
        CommitStep.COMMITTED,
        CommitStep.PUBLISHED,
        CommitStep.METADATA_FILE);
  }

  /** The steps of a commit that replaces parts (overwrite, compaction), in order. */
  public static java.util.stream.Stream<CommitStep> replaceSteps() {
    return java.util.stream.Stream.of(
        CommitStep.PARTS_STAGED,
        CommitStep.ENTRY_STAGED,
        CommitStep.COMMITTED,
        CommitStep.REMOVED_ASIDE,
        CommitStep.PUBLISHED,
        CommitStep.METADATA_FILE);
  }

  /** Fails the next {@code times} visits of a step. */
  public Faults failNext(CommitStep step, int times) {
    return failAfter(step, 0, times);
  }

  /** Lets {@code pass} visits of a step through, then fails the following {@code times}. */
  public Faults failAfter(CommitStep step, int pass, int times) {
    skip.get(step).set(pass);
    fail.get(step).set(times);
    return this;
  }

  /** Faults injected so far. */
  public int injected() {
    return injected.get();
  }

  /** Visits of a step so far. */
  public int seen(CommitStep step) {
    return seen.get(step).get();
  }

  @Override
  public void at(CommitStep step, String item) {
    seen.get(step).incrementAndGet();
    if (skip.get(step).getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
      return;
    }
    if (fail.get(step).getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
      injected.incrementAndGet();
      throw new StoreIOException(
          "injected fault at " + step + " for " + item,
          new IOException("No space left on device (injected)"));
    }
  }
}
