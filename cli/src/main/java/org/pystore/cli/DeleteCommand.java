package org.pystore.cli;

import java.util.concurrent.Callable;
import org.pystore.store.Names;
import org.pystore.store.Store;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(
    name = "delete",
    description =
        "Delete one item with COLLECTION/ITEM, or a whole collection with its snapshots"
            + " (--force, since snapshots cannot be taken back).")
final class DeleteCommand implements Callable<Integer> {
  @ParentCommand PyStoreCli top;
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", paramLabel = "COLLECTION[/ITEM]")
  String target;

  @Option(names = "--force", description = "Needed to delete a whole collection.")
  boolean force;

  @Override
  public Integer call() {
    if (target.indexOf('/') < 0 && !force) {
      throw new picocli.CommandLine.ParameterException(
          spec.commandLine(),
          "deleting collection '"
              + target
              + "' deletes every item and snapshot in it; add --force to do that");
    }
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
