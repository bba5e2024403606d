package org.pystore.cli;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.pystore.store.Names;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

@Command(
    name = "items",
    description =
        "List the items of a collection, sorted, one per line; --where filters by metadata.")
final class ItemsCommand implements Callable<Integer> {
  @ParentCommand PyStoreCli top;

  @Parameters(index = "0", paramLabel = "COLLECTION")
  String collection;

  @Option(
      names = "--where",
      paramLabel = "KEY=VALUE",
      description = "Only items whose metadata KEY equals VALUE (repeatable; all must hold).")
  Map<String, String> where = new LinkedHashMap<>();

  @Override
  public Integer call() {
    Names.check("collection", collection);
    List<String> items =
        where.isEmpty()
            ? top.openStore().collection(collection).items()
            : top.openStore().collection(collection).items(where);
    for (String i : items) {
      System.out.println(i);
    }
    return 0;
  }
}
