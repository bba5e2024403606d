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

  @picocli.CommandLine.Option(
      names = "--json",
      description = "Print a JSON array of versions (with the writer of each).")
  boolean json;

  @Override
  public Integer call() {
    ItemAddress address = ItemAddress.parse(spec.commandLine(), target);
    java.util.List<HistoryEntry> history = address.open(top.openStore()).history();
    if (json) {
      java.util.List<java.util.Map<String, Object>> out = new java.util.ArrayList<>();
      for (HistoryEntry h : history) {
        java.util.Map<String, Object> m = new java.util.LinkedHashMap<>();
        m.put("version", h.version());
        m.put("operation", h.operation());
        m.put("time", h.time().toString());
        m.put("rowsAdded", h.rowsAdded());
        m.put("rowsRemoved", h.rowsRemoved());
        m.put("partsAdded", h.partsAdded());
        m.put("partsRemoved", h.partsRemoved());
        m.put("writer", h.writer());
        m.put("readable", h.readable());
        out.add(m);
      }
      JsonOut.print(out);
      return 0;
    }
    for (HistoryEntry h : history) {
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
