package org.pystore.cli;

import java.util.concurrent.Callable;
import org.pystore.store.Names;
import org.pystore.store.PyCollection;
import org.pystore.store.SnapshotInfo;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(
    name = "snapshot",
    description =
        "create|list|delete COLLECTION [NAME]: collection-wide points in time, no data copied.")
final class SnapshotCommand implements Callable<Integer> {
  /** What to do. */
  enum Action {
    CREATE,
    LIST,
    DELETE
  }

  @ParentCommand PyStoreCli top;
  @Spec CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", paramLabel = "create|list|delete")
  Action action;

  @Parameters(index = "1", paramLabel = "COLLECTION")
  String collection;

  @picocli.CommandLine.Option(
      names = "--json",
      description = "list: print a JSON array (name, created, pinned version per item).")
  boolean json;

  @Parameters(index = "2", paramLabel = "NAME", arity = "0..1")
  String name;

  @Override
  public Integer call() {
    Names.check("collection", collection);
    if (action != Action.LIST && name == null) {
      throw new CommandLine.ParameterException(
          spec.commandLine(), "snapshot " + action.name().toLowerCase() + " needs a NAME");
    }
    PyCollection c = top.openStore().collection(collection);
    switch (action) {
      case CREATE:
        SnapshotInfo s = c.createSnapshot(name);
        System.out.printf(
            "created snapshot %s of %s pinning %d items%n",
            s.name(), collection, s.versions().size());
        break;
      case DELETE:
        c.deleteSnapshot(name);
        System.out.printf("deleted snapshot %s of %s%n", name, collection);
        break;
      default:
        if (!c.exists()) { // as items says for a missing collection
          throw new org.pystore.store.CollectionNotFoundException(collection);
        }
        if (json) {
          java.util.List<java.util.Map<String, Object>> out = new java.util.ArrayList<>();
          for (SnapshotInfo info : c.snapshots()) {
            java.util.Map<String, Object> m = new java.util.LinkedHashMap<>();
            m.put("name", info.name());
            m.put("created", info.created().toString());
            m.put("versions", info.versions());
            m.put("materialized", info.materialized());
            out.add(m);
          }
          JsonOut.print(out);
          break;
        }
        for (SnapshotInfo info : c.snapshots()) {
          System.out.printf(
              "%s %s items=%d%n", info.name(), info.created(), info.versions().size());
        }
        break;
    }
    return 0;
  }
}
