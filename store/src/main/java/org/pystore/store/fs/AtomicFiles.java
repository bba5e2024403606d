package org.pystore.store.fs;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.UUID;

/** File operations that readers never see half done. */
public final class AtomicFiles {
  private AtomicFiles() {}

  /**
   * Creates {@code target} with the given content, only if it does not exist yet, atomically: of
   * several processes racing for one target exactly one succeeds, and readers see the target either
   * absent or complete. Uses a private temporary file and a hard link; where the file system has no
   * hard links, falls back to an exclusive create (atomic for the race, though a reader may then
   * glimpse a partial file).
   *
   * @param target the file to create
   * @param data its content
   * @param fsync force content and directory entry to disk
   * @return true when this call created the file, false when it already existed
   * @throws IOException on any other failure
   */
  public static boolean createExclusive(Path target, byte[] data, boolean fsync)
      throws IOException {
    Path tmp = target.resolveSibling("." + target.getFileName() + "." + UUID.randomUUID() + ".tmp");
    try {
      write(tmp, data, fsync, StandardOpenOption.CREATE_NEW);
      try {
        Files.createLink(target, tmp);
      } catch (FileAlreadyExistsException e) {
        return false;
      } catch (UnsupportedOperationException | FileSystemException e) {
        if (e instanceof FileSystemException fse && !noHardLinks(fse)) {
          throw fse; // a full disk, a permission: an I/O failure like any other
        }
        throw new IOException(
            "the file system under "
                + target.getParent()
                + " cannot hard-link files ("
                + e
                + "), which the commit log needs to create a file only if it is absent, atomically;"
                + " put the store on a local file system (ext4, xfs, APFS, NTFS) or object storage",
            e);
      }
      if (fsync) {
        fsyncDirectory(target.getParent());
      }
      return true;
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  private static boolean noHardLinks(FileSystemException e) {
    String reason = e.getReason() == null ? "" : e.getReason().toLowerCase(java.util.Locale.ROOT);
    return reason.contains("not supported") || reason.contains("not permitted");
  }

  /**
   * Replaces {@code target} with the given content in one atomic rename.
   *
   * @param target the file to write
   * @param data its content
   * @param fsync force content to disk before the rename
   * @throws IOException on failure; the target is then unchanged
   */
  public static void replace(Path target, byte[] data, boolean fsync) throws IOException {
    Path tmp = target.resolveSibling("." + target.getFileName() + "." + UUID.randomUUID() + ".tmp");
    try {
      write(tmp, data, fsync, StandardOpenOption.CREATE_NEW);
      moveAtomically(tmp, target);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /** Renames a file atomically, replacing the target. */
  public static void moveAtomically(Path from, Path to) throws IOException {
    try {
      Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  private static void write(Path file, byte[] data, boolean fsync, StandardOpenOption mode)
      throws IOException {
    try (FileChannel ch = FileChannel.open(file, mode, StandardOpenOption.WRITE)) {
      ByteBuffer buf = ByteBuffer.wrap(data);
      while (buf.hasRemaining()) {
        ch.write(buf);
      }
      if (fsync) {
        ch.force(true);
      }
    }
  }

  /** Forces a file's content to disk. */
  public static void fsync(Path file) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
      ch.force(true);
    }
  }

  /** Forces a directory entry to disk where the platform allows it (not on Windows). */
  public static void fsyncDirectory(Path dir) {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    } catch (IOException | UnsupportedOperationException e) {
      // Windows cannot open a directory as a channel; its rename is durable on its own terms.
    }
  }

  /**
   * Deletes a directory tree. Files that vanish meanwhile are fine.
   *
   * @param root the directory
   * @throws IOException when something cannot be deleted
   */
  public static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    Files.walkFileTree(
        root,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult visitFile(Path file, BasicFileAttributes attrs)
              throws IOException {
            Files.deleteIfExists(file);
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
            if (e instanceof NoSuchFileException) {
              return FileVisitResult.CONTINUE;
            }
            throw e;
          }

          @Override
          public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
            if (e != null && !(e instanceof NoSuchFileException)) {
              throw e;
            }
            Files.deleteIfExists(dir);
            return FileVisitResult.CONTINUE;
          }
        });
  }
}
