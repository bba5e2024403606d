package org.pystore.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

@Command(name = "collections", description = "List the collections, one per line.")
final class CollectionsCommand implements Callable<Integer> {
  @ParentCommand PyStoreCli top;

  @Override
  public Integer call() {
    for (String c : top.openStore().collections()) {
      System.out.println(c);
    }
    return 0;
  }
}
