package org.pystore.store.storage;

import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

class LocalStorageTest extends StorageContract {
  @TempDir Path dir;

  @Override
  protected Storage storage() {
    return new LocalStorage(dir, false);
  }
}
