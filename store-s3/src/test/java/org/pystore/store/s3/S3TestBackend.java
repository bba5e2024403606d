package org.pystore.store.s3;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.pystore.store.Store;
import org.pystore.store.StoreOptions;
import org.pystore.store.TestStores;
import org.pystore.store.storage.LocalStorage;

/**
 * Runs the store module's tests on S3 ({@code -Dpystore.test.storage=s3}): one S3Proxy for the
 * whole run, each test directory a prefix of its bucket.
 */
public final class S3TestBackend implements TestStores.Backend {
  private static final String BUCKET = "suite";
  private static S3Proxy proxy;
  private static Map<String, String> settings;

  @Override
  public String name() {
    return "s3";
  }

  @Override
  public Store open(Path root, StoreOptions options) {
    String prefix = root.toAbsolutePath().toString().replaceAll("[^A-Za-z0-9._-]+", "-");
    return Store.open("s3://" + BUCKET + "/t" + prefix, options, settings());
  }

  private static synchronized Map<String, String> settings() {
    if (proxy == null) {
      try {
        Path dir = Files.createTempDirectory("s3-suite");
        proxy = S3Proxy.start(dir, BUCKET);
        settings = proxy.settings();
        Runtime.getRuntime()
            .addShutdownHook(
                new Thread(
                    () -> {
                      proxy.close();
                      try {
                        LocalStorage.deleteTree(dir);
                      } catch (IOException e) {
                        // a temporary directory: the system cleans it up
                      }
                    }));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
    return settings;
  }
}
