package org.pystore.connect.sink;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.pystore.store.CommitStep;
import org.pystore.store.StoreOptions;

/**
 * {@code commit.threads}: commits of different items run beside each other, those of one item in
 * order. One item's first commit is held until another item has committed: with one thread the
 * other item waits behind it (the hold times out), with four it goes ahead.
 */
class CommitThreadsTest {
  @TempDir Path dir;

  @ParameterizedTest
  @ValueSource(ints = {4, 1})
  void anotherItemCommitsWhileOneItemsCommitIsHeld(int threads) throws Exception {
    // two items on different threads of four (an item's thread is its key's hash mod threads)
    String first = "S0";
    String second = null;
    for (int i = 1; second == null; i++) {
      if (Math.floorMod(("ticks/S" + i).hashCode(), 4)
          != Math.floorMod(("ticks/" + first).hashCode(), 4)) {
        second = "S" + i;
      }
    }
    String held = "ticks/" + first;
    String other = "ticks/" + second;
    CountDownLatch otherCommitted = new CountDownLatch(1);
    AtomicBoolean heldOnce = new AtomicBoolean();
    AtomicBoolean wentAhead = new AtomicBoolean();
    StoreOptions options =
        StoreOptions.defaults()
            .withFsync(false)
            .withHook(
                (step, item) -> {
                  if (step == CommitStep.COMMITTED && item.equals(other)) {
                    otherCommitted.countDown();
                  }
                  if (step == CommitStep.PARTS_STAGED
                      && item.equals(held)
                      && heldOnce.compareAndSet(false, true)) {
                    try {
                      wentAhead.set(otherCommitted.await(3, TimeUnit.SECONDS));
                    } catch (InterruptedException e) {
                      Thread.currentThread().interrupt();
                    }
                  }
                });
    SinkHarness h =
        new SinkHarness(
            dir,
            Map.of("flush.records", "5", "commit.threads", String.valueOf(threads)),
            options,
            SinkHarness.Tolerance.ALL);
    for (long s = 0; s < 40; s++) {
      h.produce(0, s < 20 ? first : second, s); // first's batches are in line before second's
    }
    h.start();
    h.runToEnd(40);
    h.stop();

    assertThat(heldOnce).isTrue();
    assertThat(wentAhead.get())
        .as("%s committed while %s's first commit was held, with %d threads", other, held, threads)
        .isEqualTo(threads > 1);
    assertThat(h.storedOverItems()).isEqualTo(SinkFaultsTest.once(0, 40));
    assertThat(h.stored().get(first).keySet())
        .containsExactlyElementsOf(SinkFaultsTest.once(0, 20).keySet());
  }
}
