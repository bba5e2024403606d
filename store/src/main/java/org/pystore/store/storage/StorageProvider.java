package org.pystore.store.storage;

import java.io.IOException;
import java.util.Locale;
import java.util.Map;
import java.util.ServiceLoader;

/**
 * A backend for store locations of one URI scheme ({@code s3://...}), found with {@link
 * ServiceLoader}: a module that brings one (pystore-store-s3) registers it in {@code
 * META-INF/services/org.pystore.store.storage.StorageProvider}. The store core knows no backend but
 * the local disk, and imports no cloud SDK.
 */
public interface StorageProvider {
  /** The scheme this provider serves, lowercase, without {@code ://} (e.g. {@code s3}). */
  String scheme();

  /**
   * Opens a location, checking that the backend can hold a store (it exists, it is reachable, it
   * creates files only if absent, atomically).
   *
   * @param location the location, {@code scheme://...}
   * @param settings backend settings by key (e.g. {@code s3.endpoint}); unknown keys are ignored
   * @return the storage
   * @throws IOException when the location cannot hold a store, saying why
   */
  Storage open(String location, Map<String, String> settings) throws IOException;

  /**
   * The scheme of a location, or null for a local path. A scheme is two or more letters, digits,
   * {@code +}, {@code -} or {@code .} before {@code ://} (so {@code C:\data} is a path).
   *
   * @param location a store location
   * @return the scheme, lowercase, or null
   */
  static String schemeOf(String location) {
    int i = location == null ? -1 : location.indexOf("://");
    if (i < 2) {
      return null;
    }
    for (int k = 0; k < i; k++) {
      char c = location.charAt(k);
      if (!(Character.isLetterOrDigit(c) || c == '+' || c == '-' || c == '.')) {
        return null;
      }
    }
    return location.substring(0, i).toLowerCase(Locale.ROOT);
  }

  /**
   * Opens a location with the provider of its scheme.
   *
   * @param location {@code scheme://...}
   * @param settings backend settings
   * @return the storage
   * @throws IOException when no provider serves the scheme, or the provider refuses
   */
  static Storage openLocation(String location, Map<String, String> settings) throws IOException {
    String scheme = schemeOf(location);
    ClassLoader loader = StorageProvider.class.getClassLoader();
    for (StorageProvider p : ServiceLoader.load(StorageProvider.class, loader)) {
      if (p.scheme().equals(scheme)) {
        return p.open(location, settings);
      }
    }
    throw new IOException(
        "no storage for "
            + scheme
            + ":// locations here; put pystore-store-"
            + scheme
            + " on the classpath (the connector plugin, the compactor and the pystore command"
            + " bring pystore-store-s3), or give a directory");
  }
}
