package org.pystore.cli;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.pystore.compactor.CompactionOptions;
import org.pystore.compactor.CompactionService;
import org.pystore.compactor.Durations;
import org.pystore.store.VacuumReport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(
    name = "vacuum",
    description = {
      "Delete parts replaced longer ago than the retention period (never one a snapshot needs)"
          + " and parts written but never committed; put parts a crashed writer left behind where"
          + " they belong. Afterwards an item directory shows plain Parquet readers exactly its"
          + " live parts.",
    })
final class VacuumCommand implements Callable<Integer> {
  @ParentCommand PyStoreCli top;
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", arity = "0..1", paramLabel = "COLLECTION[/ITEM]")
  String target;

  @Option(
      names = "--retention",
      paramLabel = "DURATION",
      description =
          "Keep replaced parts this long for readers of older versions: 0s, 30m, 12h, 7d"
              + " (default: ${DEFAULT-VALUE}).")
  String retention = Durations.format(CompactionOptions.DEFAULT_RETENTION);

  @Option(
      names = "--orphan-grace",
      paramLabel = "DURATION",
      description = "Delete uncommitted parts only once this old (default: ${DEFAULT-VALUE}).")
  String grace = Durations.format(CompactionOptions.DEFAULT_ORPHAN_GRACE);

  @Option(names = "--dry-run", description = "Report what would be deleted; delete nothing.")
  boolean dryRun;

  @Override
  public Integer call() {
    Scope scope = Scope.parse(spec.commandLine(), target);
    Duration keep;
    CompactionOptions options;
    try {
      keep = Durations.parse(retention);
      options = CompactionOptions.defaults().withOrphanGrace(Durations.parse(grace));
    } catch (IllegalArgumentException e) {
      throw new picocli.CommandLine.ParameterException(spec.commandLine(), e.getMessage());
    }
    try (CompactionService service = new CompactionService(top.openStore(), options)) {
      List<VacuumReport> reports;
      try (Progress progress = Progress.onTerminal(top.quiet)) {
        reports =
            service.vacuum(
                scope.collections(),
                scope.item(),
                keep,
                dryRun,
                (done, total) -> progress.update("vacuuming " + scope + " (items)", done, total));
      }
      int deleted = 0;
      long bytes = 0;
      int kept = 0;
      for (VacuumReport r : reports) {
        deleted += r.deleted();
        bytes += r.bytesFreed();
        kept += r.keptForRetention() + r.keptForSnapshots();
        if (r.deleted() + r.published() + r.retired() + r.keptForSnapshots() > 0
            || !r.foreign().isEmpty()) {
          System.out.printf(
              Locale.ROOT,
              "%s: %s %d replaced and %d orphaned parts (%d bytes), moved %d into place and %d"
                  + " aside, kept %d for snapshots and %d for the retention period%s%n",
              r.item(),
              dryRun ? "would delete" : "deleted",
              r.removedDeleted(),
              r.orphansDeleted(),
              r.bytesFreed(),
              r.published(),
              r.retired(),
              r.keptForSnapshots(),
              r.keptForRetention(),
              r.foreign().isEmpty()
                  ? ""
                  : "; " + r.foreign().size() + " files not in the commit log left untouched");
        }
      }
      System.out.printf(
          Locale.ROOT,
          "vacuum of %s: %d items, %s %d files (%d bytes), %d replaced parts kept%n",
          scope,
          reports.size(),
          dryRun ? "would delete" : "deleted",
          deleted,
          bytes,
          kept);
      return 0;
    }
  }
}
