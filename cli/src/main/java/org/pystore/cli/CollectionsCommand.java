package org.pystore.cli;

import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

@Command(name = "collections", description = "List the collections, one per line.")
final class CollectionsCommand implements Callable<Integer> {
  @ParentCommand PyStoreCli top;

  @Option(names = "--json", description = "Print a JSON array of names.")
  boolean json;

  @Override
  public Integer call() {
    List<String> names = top.openStore().collections();
    if (json) {
      JsonOut.print(names);
      return 0;
    }
    names.forEach(System.out::println);
    return 0;
  }
}
