package org.pystore.cli;

import org.pystore.store.Item;
import org.pystore.store.Names;
import org.pystore.store.Store;
import picocli.CommandLine;

/** {@code COLLECTION/ITEM} as typed on the command line. */
record ItemAddress(String collection, String item) {

  /** Parses COLLECTION/ITEM; names are checked by the naming rule (exit 1 when refused). */
  static ItemAddress parse(CommandLine cmd, String text) {
    int slash = text.indexOf('/');
    if (slash <= 0 || slash == text.length() - 1) {
      throw new CommandLine.ParameterException(cmd, "expected COLLECTION/ITEM, got '" + text + "'");
    }
    String c = text.substring(0, slash);
    String i = text.substring(slash + 1);
    Names.check("collection", c);
    Names.check("item", i);
    return new ItemAddress(c, i);
  }

  Item open(Store store) {
    return store.item(collection, item);
  }

  @Override
  public String toString() {
    return collection + "/" + item;
  }
}
