package org.pystore.cli;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.pystore.store.CommitResult;
import org.pystore.store.IndexUnit;
import org.pystore.store.Item;
import org.pystore.store.ItemOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(
    name = "write",
    description = "Create an item from a CSV file (or replace it with --overwrite), in one commit.")
final class WriteCommand implements Callable<Integer> {
  @ParentCommand PyStoreCli top;
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", paramLabel = "COLLECTION/ITEM")
  String target;

  @Mixin CsvSource source;

  @Mixin LayoutOptions layout;

  @Option(names = "--overwrite", description = "Replace the item if it exists.")
  boolean overwrite;

  @Option(
      names = "--metadata",
      paramLabel = "KEY=VALUE",
      description = "User metadata, stored as strings (repeatable).")
  Map<String, String> metadata = new LinkedHashMap<>();

  @Option(
      names = "--key",
      paramLabel = "COL",
      split = ",",
      description = "Key columns besides the index, for sorting and last/first dedupe.")
  List<String> keys = List.of();

  @Override
  public Integer call() {
    ItemAddress address = ItemAddress.parse(spec.commandLine(), target);
    ItemOptions options = layout.options(source.index, keys);
    CommitResult r;
    try (Progress progress = Progress.onTerminal(top.quiet)) {
      CsvInput.Loaded in =
          CsvInput.load(
              source.csv,
              source.index,
              source.indexUnit(),
              source.schema(),
              null,
              IndexUnit.NANOS,
              progress);
      Item item = address.open(top.openOrCreateStore());
      Map<String, Object> meta = new LinkedHashMap<>(metadata);
      progress.update("committing to " + address, in.rows().size(), -1);
      r =
          item.write(
              in.schema(), in.rows(), options.withIndexColumn(in.indexColumn()), meta, overwrite);
    }
    System.out.printf(
        "wrote %d rows to %s as version %d in %d parts%n",
        r.rows(), address, r.version(), r.parts());
    return 0;
  }
}
