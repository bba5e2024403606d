package org.pystore.store;

import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.util.ArrayList;
import java.util.List;
import org.pystore.store.log.PartInfo;
import org.pystore.store.storage.ReadableFile;
import org.pystore.store.storage.Storage;

/**
 * Finds a committed part in the store. A part lives under its final name in the item directory, or,
 * for a moment around its commit, under {@code _staging/}, or, once replaced, under {@code
 * _removed/} (until vacuumed), or as a hard link in a snapshot. Writers move parts between these
 * places, so a lookup tries them all and retries a few times before calling a part missing.
 */
final class PartLocator {
  static final String STAGING = "_staging";
  static final String REMOVED = "_removed";
  private static final int ROUNDS = 3;

  private final Storage storage;
  private final String label;
  private final List<String> dirs;

  /**
   * @param storage the store's storage
   * @param label the item, for messages
   * @param itemDir the item's key
   * @param snapshotDir the item's directory in a materialized snapshot, or null
   */
  PartLocator(Storage storage, String label, String itemDir, String snapshotDir) {
    this.storage = storage;
    this.label = label;
    this.dirs = new ArrayList<>();
    if (snapshotDir != null) {
      dirs.add(snapshotDir);
    }
    dirs.add(itemDir);
    dirs.add(Storage.join(itemDir, STAGING));
    dirs.add(Storage.join(itemDir, REMOVED));
  }

  /** Opens a part and hands it to {@code fn}, which owns it from then on. */
  <T> T open(PartInfo part, OpenFunction<T> fn) {
    for (int round = 0; round < ROUNDS; round++) {
      for (String dir : dirs) {
        String key = Storage.join(dir, part.name());
        ReadableFile file;
        try {
          file = new Relocating(part, storage.open(key));
        } catch (NoSuchFileException e) {
          continue;
        } catch (IOException | RuntimeException e) {
          throw new StoreIOException(
              "cannot open part " + storage.describe(key) + " of '" + label + "'",
              e instanceof IOException io ? io : new IOException(e));
        }
        try {
          return fn.open(file);
        } catch (NoSuchFileException e) {
          closeQuietly(file); // deleted between open and read (object storage): look again
        } catch (IOException | RuntimeException e) {
          closeQuietly(file);
          if (e instanceof org.pystore.store.storage.StorageTransientException t) {
            throw new StoreIOException(
                "cannot read part " + storage.describe(key) + " of '" + label + "'", t);
          }
          throw new CorruptPartException(
              "part "
                  + storage.describe(key)
                  + " of '"
                  + label
                  + "' is unreadable ("
                  + e.getMessage()
                  + "); restore it from a backup or a snapshot; the file was left untouched",
              e);
        }
      }
    }
    throw missing(part);
  }

  private static void closeQuietly(ReadableFile f) {
    try {
      f.close();
    } catch (IOException e) {
      // read-only handle
    }
  }

  /**
   * A part open for reading that follows the part when a writer moves it meanwhile. On a local disk
   * an open file survives a rename; on object storage a move is a copy and a delete, so a ranged
   * read of the old key fails once the delete is done. Parts are immutable and their names unique,
   * so the same bytes are found under the part's next place: the read goes on there.
   */
  private final class Relocating implements ReadableFile {
    private final PartInfo part;
    private ReadableFile file;

    Relocating(PartInfo part, ReadableFile file) {
      this.part = part;
      this.file = file;
    }

    @Override
    public long length() {
      return file.length();
    }

    @Override
    public void readFully(long position, java.nio.ByteBuffer into) throws IOException {
      for (int attempt = 0; ; attempt++) {
        int mark = into.position();
        try {
          file.readFully(position, into);
          return;
        } catch (NoSuchFileException e) {
          if (attempt >= ROUNDS) {
            throw e;
          }
          into.position(mark);
          ReadableFile moved = reopen(file.length());
          if (moved == null) {
            throw e;
          }
          closeQuietly(file);
          file = moved;
        }
      }
    }

    /** The part under another of its places, with the same length; null when it is nowhere. */
    private ReadableFile reopen(long length) throws IOException {
      for (int round = 0; round < ROUNDS; round++) {
        for (String dir : dirs) {
          try {
            ReadableFile f = storage.open(Storage.join(dir, part.name()));
            if (f.length() == length) {
              return f;
            }
            closeQuietly(f);
          } catch (NoSuchFileException e) {
            // not here
          }
        }
      }
      return null;
    }

    @Override
    public String describe() {
      return file.describe();
    }

    @Override
    public void close() throws IOException {
      file.close();
    }
  }

  /** The key a part is at now, or throws when it is nowhere. */
  String locate(PartInfo part) {
    for (int round = 0; round < ROUNDS; round++) {
      for (String dir : dirs) {
        String key = Storage.join(dir, part.name());
        try {
          if (storage.exists(key)) {
            return key;
          }
        } catch (IOException e) {
          throw new StoreIOException(
              "cannot look up part " + storage.describe(key) + " of '" + label + "'", e);
        }
      }
    }
    throw missing(part);
  }

  private CorruptPartException missing(PartInfo part) {
    return new CorruptPartException(
        "part "
            + part.name()
            + " of '"
            + label
            + "' is listed in the commit log but is missing from the store; restore it from a"
            + " backup or a snapshot (its rows cannot be read until then)",
        null);
  }

  /** Reads one candidate file; owns it. */
  @FunctionalInterface
  interface OpenFunction<T> {
    T open(ReadableFile file) throws IOException;
  }
}
