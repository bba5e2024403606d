package org.pystore.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeSet;
import org.pystore.store.storage.FileInfo;

/**
 * The store a test works in. By default a directory; when the suite runs with {@code
 * -Dpystore.test.storage=NAME} (the {@code store-s3} module runs part of this module's suite so),
 * the {@link Backend} of that name found on the test classpath maps each directory to a store of
 * its own there, so that the same test checks the store on object storage. Tests that use this
 * fixture look at files through the store's {@link org.pystore.store.storage.Storage}, never
 * through {@code java.nio.file}.
 */
public final class TestStores {
  /** Where a test's stores live when they are not local directories. */
  public interface Backend {
    /** The name {@code pystore.test.storage} selects. */
    String name();

    /**
     * Opens the store that stands for a test's directory: the same directory gives the same store.
     */
    Store open(Path root, StoreOptions options);
  }

  private static final String PROPERTY = "pystore.test.storage";
  private static volatile Backend backend;

  private TestStores() {}

  /** Opens the store of a test directory with default options. */
  public static Store open(Path root) {
    return open(root, StoreOptions.defaults());
  }

  /** Opens the store of a test directory. */
  public static Store open(Path root, StoreOptions options) {
    Backend b = backend();
    return b == null ? Store.open(root, options) : b.open(root, options);
  }

  /** Whether the tests run on a backend other than the local directory. */
  public static boolean remote() {
    return backend() != null;
  }

  /** The {@code *.parquet} files a plain reader listing the item's directory sees. */
  public static Set<String> visibleParts(Item item) {
    Set<String> out = new TreeSet<>();
    try {
      List<FileInfo> files = item.store().storage().list(item.key());
      for (FileInfo f : files) {
        if (f.name().endsWith(".parquet")) {
          out.add(f.name());
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }

  private static Backend backend() {
    String name = System.getProperty(PROPERTY, "");
    if (name.isEmpty() || name.equals("local")) {
      return null;
    }
    Backend b = backend;
    if (b == null) {
      synchronized (TestStores.class) {
        if (backend == null) {
          for (Backend candidate : ServiceLoader.load(Backend.class)) {
            if (candidate.name().equals(name)) {
              backend = candidate;
            }
          }
          if (backend == null) {
            throw new IllegalStateException(
                PROPERTY
                    + "="
                    + name
                    + " but no TestStores.Backend of that name is on the test classpath");
          }
        }
        b = backend;
      }
    }
    return b;
  }
}
