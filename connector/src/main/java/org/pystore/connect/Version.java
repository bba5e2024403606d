package org.pystore.connect;

import org.pystore.store.Store;

/** The plugin's version, as Connect reports it. */
public final class Version {
  private Version() {}

  public static String get() {
    return Store.VERSION;
  }
}
