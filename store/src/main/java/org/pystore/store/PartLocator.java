package org.pystore.store;

import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.pystore.store.log.PartInfo;

/**
 * Finds a committed part on disk. A part lives under its final name in the item directory, or, for
 * a moment around its commit, under {@code _staging/}, or, once replaced, under {@code _removed/}
 * (until vacuumed), or as a hard link in a snapshot. Writers move parts between these places, so a
 * lookup tries them all and retries a few times before calling a part missing.
 */
final class PartLocator {
  static final String STAGING = "_staging";
  static final String REMOVED = "_removed";
  private static final int ROUNDS = 3;

  private final String label;
  private final List<Path> dirs;

  PartLocator(String label, Path itemDir, Path snapshotDir) {
    this.label = label;
    this.dirs = new ArrayList<>();
    if (snapshotDir != null) {
      dirs.add(snapshotDir);
    }
    dirs.add(itemDir);
    dirs.add(itemDir.resolve(STAGING));
    dirs.add(itemDir.resolve(REMOVED));
  }

  /** Opens a part for reading in the given schema. */
  <T> T open(PartInfo part, OpenFunction<T> fn) {
    for (int round = 0; round < ROUNDS; round++) {
      for (Path dir : dirs) {
        Path file = dir.resolve(part.name());
        try {
          return fn.open(file);
        } catch (NoSuchFileException e) {
          continue;
        } catch (IOException | RuntimeException e) {
          throw new CorruptPartException(
              "part "
                  + file
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

  /** The path a part is at now, or throws when it is nowhere. */
  Path locate(PartInfo part) {
    for (int round = 0; round < ROUNDS; round++) {
      for (Path dir : dirs) {
        Path file = dir.resolve(part.name());
        if (java.nio.file.Files.exists(file)) {
          return file;
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
            + "' is listed in the commit log but is missing from disk; restore it from a backup"
            + " or a snapshot (its rows cannot be read until then)",
        null);
  }

  /** Opens one candidate file. */
  @FunctionalInterface
  interface OpenFunction<T> {
    T open(Path file) throws IOException;
  }
}
