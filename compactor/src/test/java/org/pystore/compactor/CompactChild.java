package org.pystore.compactor;

import java.nio.file.Path;
import org.pystore.store.CommitStep;
import org.pystore.store.Store;
import org.pystore.store.StoreOptions;

/**
 * A compactor JVM for kill -9 and two-process tests: {@code CompactChild root collection item
 * step}. It compacts the item; on reaching {@code step} it prints {@code AT step} and waits to be
 * killed. With step {@code NONE} it runs {@code passes} whole passes over the store instead.
 */
public final class CompactChild {
  private CompactChild() {}

  public static void main(String[] args) throws Exception {
    if (args[3].equals("NONE")) {
      Store store = Store.open(Path.of(args[0]));
      CompactionOptions o =
          CompactionOptions.defaults().withTargetBytes(64 * 1024).withMinParts(2).withVacuum(false);
      long merges = 0;
      try (CompactionService s = new CompactionService(store, o, 500)) {
        for (int i = 0; i < Integer.parseInt(args[4]); i++) {
          merges += s.run(java.util.List.of(args[1]), null).merges();
        }
      }
      System.out.println("MERGES " + merges);
      return;
    }
    CommitStep stop = CommitStep.valueOf(args[3]);
    StoreOptions opts =
        StoreOptions.defaults()
            .withHook(
                (step, item) -> {
                  if (step == stop) {
                    System.out.println("AT " + step);
                    System.out.flush();
                    try {
                      Thread.sleep(600_000);
                    } catch (InterruptedException e) {
                      Thread.currentThread().interrupt();
                    }
                  }
                });
    Store store = Store.open(Path.of(args[0]), opts);
    try (CompactionService s =
        new CompactionService(
            store, CompactionOptions.defaults().withTargetBytes(64 * 1024).withMinParts(2), 500)) {
      s.compact(store.item(args[1], args[2]));
    }
    System.out.println("DONE");
  }
}
