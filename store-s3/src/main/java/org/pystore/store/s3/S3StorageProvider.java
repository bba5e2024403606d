package org.pystore.store.s3;

import java.io.IOException;
import java.util.Map;
import org.pystore.store.storage.Storage;
import org.pystore.store.storage.StorageProvider;

/** {@code s3://bucket/prefix} locations, with {@link S3Settings} over the environment. */
public final class S3StorageProvider implements StorageProvider {
  @Override
  public String scheme() {
    return "s3";
  }

  @Override
  public Storage open(String location, Map<String, String> settings) throws IOException {
    S3Settings s;
    try {
      s = S3Settings.of(settings, System.getenv());
    } catch (IllegalArgumentException e) {
      throw new IOException(e.getMessage(), e);
    }
    return S3Storage.open(location, s);
  }
}
