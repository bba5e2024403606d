package org.pystore.cli;

import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.pystore.compactor.CompactionOptions;
import org.pystore.compactor.CompactionService;
import org.pystore.compactor.Plan;
import org.pystore.compactor.TaskResult;
import org.pystore.store.Item;
import org.pystore.store.Store;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(
    name = "compact",
    description = {
      "Merge, sort and dedupe the small or overlapping parts of a collection's items (or one"
          + " item), bucket by bucket. Reads return the same rows before and after; replaced"
          + " parts stay under _removed/ until 'pystore vacuum'.",
    })
final class CompactCommand implements Callable<Integer> {
  @ParentCommand PyStoreCli top;
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", paramLabel = "COLLECTION[/ITEM]")
  String target;

  @Option(names = "--dry-run", description = "Print the plan; change nothing.")
  boolean dryRun;

  @Option(
      names = "--target-bytes",
      paramLabel = "N",
      description = "Size of the parts written (default: ${DEFAULT-VALUE}).")
  long targetBytes = CompactionOptions.DEFAULT_TARGET_BYTES;

  @Option(
      names = "--min-parts",
      paramLabel = "N",
      description = "Merge a run of small parts once it holds N parts (default: ${DEFAULT-VALUE}).")
  int minParts = CompactionOptions.DEFAULT_MIN_PARTS;

  @Option(
      names = "--threads",
      paramLabel = "N",
      description = "Threads merging one bucket (default: ${DEFAULT-VALUE}).")
  int threads = CompactionOptions.DEFAULT_THREADS;

  @Override
  public Integer call() {
    Scope scope = Scope.parse(spec.commandLine(), target);
    CommandLine cmd = spec.commandLine();
    CompactionOptions base = CompactionOptions.defaults().withVacuum(false);
    CompactionOptions sized =
        Usage.option(cmd, "--target-bytes", () -> base.withTargetBytes(targetBytes));
    CompactionOptions counted =
        Usage.option(cmd, "--min-parts", () -> sized.withMinParts(minParts));
    CompactionOptions options = Usage.option(cmd, "--threads", () -> counted.withThreads(threads));
    Store store = top.openStore();
    try (CompactionService service = new CompactionService(store, options)) {
      List<Item> items = service.items(scope.collections(), scope.item());
      int merges = 0;
      int conflicts = 0;
      int refused = 0;
      long rowsIn = 0;
      long dups = 0;
      long partsBefore = 0;
      long partsAfter = 0;
      long start = System.nanoTime();
      for (int i = 0; i < items.size(); i++) {
        Item item = items.get(i);
        String label = item.collectionName() + "/" + item.name();
        if (dryRun) {
          Plan plan = service.plan(item);
          System.out.print(
              plan.isEmpty()
                  ? label + ": nothing to do (" + plan.liveParts() + " parts)\n"
                  : plan.describe());
          continue;
        }
        long before = item.state().parts().size();
        List<TaskResult> results;
        try (Progress progress = Progress.onTerminal(top.quiet)) {
          // the line says which item a long merge is busy with; the item's own line follows
          progress.update("compacting " + label + " (items)", i, items.size());
          results = service.compact(item);
        }
        long after = item.state().parts().size();
        partsBefore += before;
        partsAfter += after;
        long itemDups = 0;
        for (TaskResult r : results) {
          if (r.outcome() == TaskResult.Outcome.COMMITTED) {
            merges++;
            rowsIn += r.rowsIn();
            itemDups += r.duplicatesRemoved();
          } else if (r.outcome() == TaskResult.Outcome.REFUSED) {
            refused++;
            System.err.println("pystore: " + label + " bucket " + r.bucket() + ": " + r.message());
          } else {
            conflicts++;
            System.err.println("pystore: " + label + " bucket " + r.bucket() + ": " + r.message());
          }
        }
        dups += itemDups;
        System.out.printf(
            Locale.ROOT,
            "[%d/%d] %s: %s%n",
            i + 1,
            items.size(),
            label,
            results.isEmpty()
                ? "nothing to do (" + before + " parts)"
                : "parts " + before + " -> " + after + ", " + itemDups + " duplicates removed");
      }
      if (!dryRun) {
        System.out.printf(
            Locale.ROOT,
            "compacted %s: %d items, %d merges, %d rows rewritten, %d duplicates removed, parts"
                + " %d -> %d, %d ms%s%n",
            scope,
            items.size(),
            merges,
            rowsIn,
            dups,
            partsBefore,
            partsAfter,
            (System.nanoTime() - start) / 1_000_000,
            conflicts == 0 ? "" : ", " + conflicts + " merges lost to concurrent writers (rerun)");
      }
      return refused == 0 ? 0 : 1;
    }
  }
}
