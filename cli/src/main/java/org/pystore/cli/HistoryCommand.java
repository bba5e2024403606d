package org.pystore.cli;

import java.util.concurrent.Callable;
import org.pystore.store.HistoryEntry;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(
    name = "history",
    description =
        "One line per version: VERSION OPERATION TIME rows_added= rows_removed= parts_added= parts_removed=")
final class HistoryCommand implements Callable<Integer> {
  @ParentCommand PyStoreCli top;
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", paramLabel = "COLLECTION/ITEM")
  String target;

  @Override
  public Integer call() {
    ItemAddress address = ItemAddress.parse(spec.commandLine(), target);
    for (HistoryEntry h : address.open(top.openStore()).history()) {
      System.out.printf(
          "%d %s %s rows_added=%d rows_removed=%d parts_added=%d parts_removed=%d readable=%s%n",
          h.version(),
          h.operation(),
          h.time(),
          h.rowsAdded(),
          h.rowsRemoved(),
          h.partsAdded(),
          h.partsRemoved(),
          h.readable());
    }
    return 0;
  }
}
