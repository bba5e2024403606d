package org.pystore.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.pystore.store.ItemInfo;
import org.pystore.store.Names;
import org.pystore.store.PyCollection;
import org.pystore.store.Store;
import org.pystore.store.migrate.PyStoreImport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

@Command(
    name = "items",
    description =
        "List the items of a collection, sorted, one per line; --where filters by metadata;"
            + " --long adds rows, time range and version. PyStore items not imported yet are"
            + " named on stderr.")
final class ItemsCommand implements Callable<Integer> {
  @ParentCommand PyStoreCli top;

  @Parameters(index = "0", paramLabel = "COLLECTION")
  String collection;

  @Option(
      names = "--where",
      paramLabel = "KEY=VALUE",
      description = "Only items whose metadata KEY equals VALUE (repeatable; all must hold).")
  Map<String, String> where = new LinkedHashMap<>();

  @Option(
      names = {"-l", "--long"},
      description = "One line per item: NAME rows=N first=T last=T version=V.")
  boolean longFormat;

  @Option(
      names = "--json",
      description = "Print JSON: an array of names, or of objects with --long.")
  boolean json;

  @Override
  public Integer call() {
    Names.check("collection", collection);
    Store store = top.openStore();
    PyCollection c = store.collection(collection);
    List<String> items = where.isEmpty() ? c.items() : c.items(where);
    if (!longFormat) {
      if (json) {
        JsonOut.print(items);
      } else {
        items.forEach(System.out::println);
      }
    } else {
      List<Map<String, Object>> rows = new ArrayList<>();
      for (String name : items) {
        ItemInfo info = c.item(name).info();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("item", name);
        m.put("rows", info.rows());
        m.put("first", info.first() == null ? null : info.first().toString());
        m.put("last", info.last() == null ? null : info.last().toString());
        m.put("version", info.version());
        rows.add(m);
      }
      if (json) {
        JsonOut.print(rows);
      } else {
        for (Map<String, Object> m : rows) {
          System.out.printf(
              "%s rows=%d first=%s last=%s version=%d%n",
              m.get("item"), m.get("rows"), m.get("first"), m.get("last"), m.get("version"));
        }
      }
    }
    if (where.isEmpty()) {
      notImported(c, items);
    }
    return 0;
  }

  /** PyStore items in the collection that no import adopted yet: said on stderr. */
  private static void notImported(PyCollection c, List<String> listed) {
    List<String> pystore = new ArrayList<>();
    for (String name : c.itemDirectories()) {
      if (!listed.contains(name) && !PyStoreImport.pendingFiles(c.item(name)).isEmpty()) {
        pystore.add(name);
      }
    }
    if (!pystore.isEmpty()) {
      System.err.println(
          "pystore: "
              + pystore.size()
              + " PyStore item(s) not imported yet, not listed: "
              + String.join(", ", pystore)
              + "; adopt them with 'pystore import "
              + c.name()
              + "'");
    }
  }
}
