package org.pystore.compactor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.pystore.store.CommitStep;
import org.pystore.store.Item;
import org.pystore.store.Store;
import org.pystore.store.StoreOptions;
import org.pystore.store.part.PartReader;

/**
 * A compaction that dies at any step loses nothing: the item reads the same, no partial file is
 * visible, and the next run finishes the job.
 */
class CrashTest {
  @TempDir Path root;

  /** Stands for the process dying: an Error, so no cleanup code runs. */
  static final class SimulatedCrash extends Error {
    private static final long serialVersionUID = 1L;

    SimulatedCrash(CommitStep step) {
      super("crash at " + step);
    }
  }

  private static CompactionOptions options() {
    return CompactionOptions.defaults().withTargetBytes(64 * 1024).withMinParts(2);
  }

  @ParameterizedTest
  @MethodSource("org.pystore.store.Faults#replaceSteps")
  void crashInProcessAtEveryStep(CommitStep step) throws Exception {
    Item item = Store.open(root).item("ticks", "X");
    Fixtures.sinkLike(item, 12, 500, 4, 50);
    List<String> before = Fixtures.read(item);
    Set<String> parts = Set.copyOf(item.state().parts().keySet());
    Store crashing =
        Store.open(
            root,
            StoreOptions.defaults()
                .withHook(
                    (s, label) -> {
                      if (s == step) {
                        throw new SimulatedCrash(s);
                      }
                    }));
    try (CompactionService s = new CompactionService(crashing, options(), 1000)) {
      assertThatThrownBy(() -> s.compact(crashing.item("ticks", "X")))
          .isInstanceOf(SimulatedCrash.class);
    }
    assertRecovers(step, before, parts);
  }

  @ParameterizedTest
  @MethodSource("org.pystore.store.Faults#replaceSteps")
  void aStorageFaultAtEveryStepFailsTheMergeCleanlyOrLetsItStand(CommitStep step) throws Exception {
    Item item = Store.open(root).item("ticks", "X");
    Fixtures.sinkLike(item, 12, 500, 4, 50);
    List<String> before = Fixtures.read(item);
    Set<String> parts = Set.copyOf(item.state().parts().keySet());
    org.pystore.store.Faults faults = new org.pystore.store.Faults().failNext(step, 1);
    Store faulty = Store.open(root, StoreOptions.defaults().withHook(faults));
    boolean threw = false;
    try (CompactionService s = new CompactionService(faulty, options(), 1000)) {
      s.compact(faulty.item("ticks", "X"));
    } catch (org.pystore.store.PyStoreException e) {
      threw = true;
    }
    assertThat(faults.injected()).isEqualTo(1);
    assertThat(threw).as("failed <=> not committed").isEqualTo(!step.afterCommit());
    assertRecovers(step, before, parts);
  }

  @ParameterizedTest
  @EnumSource(
      value = CommitStep.class,
      names = {"PARTS_STAGED", "COMMITTED"})
  void killDashNineOfACompactorJvm(CommitStep step) throws Exception {
    Item item = Store.open(root).item("ticks", "X");
    Fixtures.sinkLike(item, 12, 500, 4, 50);
    List<String> before = Fixtures.read(item);
    Set<String> parts = Set.copyOf(item.state().parts().keySet());
    String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process p =
        new ProcessBuilder(
                javaBin,
                "-cp",
                System.getProperty("java.class.path"),
                CompactChild.class.getName(),
                root.toString(),
                "ticks",
                "X",
                step.name())
            .redirectErrorStream(true)
            .start();
    try (BufferedReader out =
        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      boolean reached = false;
      while ((line = out.readLine()) != null) {
        if (line.equals("AT " + step)) {
          reached = true;
          break;
        }
      }
      assertThat(reached).as("child reached " + step).isTrue();
      p.destroyForcibly(); // SIGKILL on Linux: no shutdown hook, no finally block runs
      assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    } finally {
      p.destroyForcibly();
    }
    assertRecovers(step, before, parts);
  }

  /** SIGTERM to a worker mid-pass: the merge is finished or abandoned, never left half done. */
  @Test
  void sigtermStopsTheWorkerCleanly() throws Exception {
    Item item = Store.open(root).item("ticks", "X");
    Fixtures.sinkLike(item, 40, 2000, 4, 50);
    List<String> before = Fixtures.read(item);
    Path cfg = root.resolve("compactor.properties");
    java.nio.file.Files.writeString(
        cfg,
        "store.path="
            + root.toString().replace("\\", "/")
            + "\nschedule.cron=* * * * * ?\ncompact.target.bytes=65536\ncompact.min.parts=2\n");
    String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process p =
        new ProcessBuilder(
                javaBin,
                "-cp",
                System.getProperty("java.class.path"),
                CompactorMain.class.getName(),
                "--config",
                cfg.toString())
            .redirectErrorStream(true)
            .redirectOutput(root.resolve("worker.log").toFile())
            .start();
    Path staging = item.path().resolve("_staging");
    try {
      // signal only once a merge is writing its parts: the pass is under way, not done or unborn
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (Fixtures.files(staging).isEmpty() && System.nanoTime() < deadline) {
        Thread.sleep(2);
      }
      assertThat(Fixtures.files(staging)).as("a merge was under way").isNotEmpty();
      p.destroy(); // SIGTERM: the shutdown hook stops the worker
      assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("the worker exits").isTrue();
    } finally {
      p.destroyForcibly();
    }
    assertThat(java.nio.file.Files.readString(root.resolve("worker.log")))
        .contains("schedule 'store'");
    assertThat(Fixtures.read(item)).isEqualTo(before);
    // nothing half done: no staged file is left, and what is visible is one whole version
    assertThat(Fixtures.files(item.path().resolve("_staging"))).isEmpty();
    assertThat(Fixtures.visibleParts(item)).isEqualTo(item.state().parts().keySet());
  }

  private void assertRecovers(CommitStep step, List<String> before, Set<String> before12)
      throws Exception {
    Item item = Store.open(root).item("ticks", "X"); // a new process
    boolean committed = step.afterCommit();
    assertThat(Fixtures.read(item)).isEqualTo(before);
    if (committed) {
      assertThat(item.state().parts().size()).isLessThan(12);
    } else {
      assertThat(item.state().parts()).hasSize(12);
    }
    Set<String> visible = Fixtures.visibleParts(item);
    for (String name : visible) {
      PartReader.footer(item.path().resolve(name)); // never a partial file
    }
    // plain Parquet readers see one whole version: the old parts or the merged ones, never a mix
    // and never an uncommitted part (after a crash at COMMITTED, the old ones until vacuum)
    if (step == CommitStep.REMOVED_ASIDE) {
      // between publishing the merged parts and moving the inputs aside: both are visible to plain
      // readers until vacuum (or the next commit) moves the inputs; pystore verify reports it
      Set<String> either = new java.util.HashSet<>(before12);
      either.addAll(item.state().parts().keySet());
      assertThat(either).containsAll(visible);
    } else {
      assertThat(visible).isIn(before12, item.state().parts().keySet());
    }
    // the next run finishes the job; vacuum clears what the crash left
    try (CompactionService s = new CompactionService(Store.open(root), options(), 1000)) {
      s.compact(item);
      assertThat(s.plan(item).isEmpty()).as("nothing left to merge").isTrue();
    }
    Fixtures.vacuumNow(item, false);
    assertThat(Fixtures.read(item)).isEqualTo(before);
    assertThat(item.state().parts().size()).isLessThan(12);
    assertThat(Fixtures.visibleParts(item)).isEqualTo(item.state().parts().keySet());
    assertThat(Fixtures.files(item.path().resolve("_staging"))).isEmpty();
    assertThat(Fixtures.files(item.path().resolve("_removed"))).isEmpty();
  }
}
