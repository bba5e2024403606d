package org.pystore.cli;

import java.util.concurrent.Callable;
import org.apache.avro.Schema;
import org.pystore.store.CommitResult;
import org.pystore.store.IndexUnit;
import org.pystore.store.Item;
import org.pystore.store.log.ItemState;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(
    name = "append",
    description =
        "Append the rows of a CSV file to an existing item. Columns the item has keep their types.")
final class AppendCommand implements Callable<Integer> {
  @ParentCommand PyStoreCli top;
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", paramLabel = "COLLECTION/ITEM")
  String target;

  @Mixin CsvSource source;

  @Override
  public Integer call() {
    ItemAddress address = ItemAddress.parse(spec.commandLine(), target);
    Item item = address.open(top.openStore());
    ItemState state = item.state();
    Schema schema = state.schema();
    String index = source.index != null ? source.index : state.options().indexColumn();
    IndexUnit unit = IndexUnit.of(indexSchema(schema, index));
    CommitResult r;
    try (Progress progress = Progress.onTerminal(top.quiet)) {
      CsvInput.Loaded in =
          CsvInput.load(
              source.csv, index, source.indexUnit(), source.schema(), schema, unit, progress);
      progress.update("committing to " + address, in.rows().size(), -1);
      r = item.append(in.rows());
    }
    if (r.committed()) {
      System.out.printf(
          "appended %d rows to %s as version %d in %d parts%n",
          r.rows(), address, r.version(), r.parts());
    } else {
      System.out.printf("nothing to append to %s; it stays at version %d%n", address, r.version());
    }
    return 0;
  }

  private static Schema indexSchema(Schema schema, String index) {
    Schema.Field f = schema.getField(index);
    return f == null ? IndexUnit.NANOS.schema() : f.schema();
  }
}
