package org.pystore.cli;

import java.util.concurrent.Callable;
import org.pystore.store.Names;
import org.pystore.store.Store;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(name = "delete", description = "Delete a collection, or one item with COLLECTION/ITEM.")
final class DeleteCommand implements Callable<Integer> {
  @ParentCommand PyStoreCli top;
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", paramLabel = "COLLECTION[/ITEM]")
  String target;

  @Override
  public Integer call() {
    Store store = top.openStore();
    if (target.indexOf('/') >= 0) {
      ItemAddress a = ItemAddress.parse(spec.commandLine(), target);
      store.collection(a.collection()).deleteItem(a.item());
      System.out.println("deleted item " + a);
    } else {
      Names.check("collection", target);
      store.deleteCollection(target);
      System.out.println("deleted collection " + target);
    }
    return 0;
  }
}
