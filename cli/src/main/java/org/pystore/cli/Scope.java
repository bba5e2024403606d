package org.pystore.cli;

import java.util.List;
import org.pystore.store.Names;
import picocli.CommandLine;

/** {@code COLLECTION[/ITEM]}, or nothing for the whole store, as typed on the command line. */
record Scope(String collection, String item) {

  static Scope parse(CommandLine cmd, String text) {
    if (text == null) {
      return new Scope(null, null);
    }
    if (text.indexOf('/') >= 0) {
      ItemAddress a = ItemAddress.parse(cmd, text);
      return new Scope(a.collection(), a.item());
    }
    Names.check("collection", text);
    return new Scope(text, null);
  }

  /** The collections, or null for all. */
  List<String> collections() {
    return collection == null ? null : List.of(collection);
  }

  @Override
  public String toString() {
    return collection == null ? "the store" : item == null ? collection : collection + "/" + item;
  }
}
