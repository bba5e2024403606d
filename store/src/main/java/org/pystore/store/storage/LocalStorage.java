package org.pystore.store.storage;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;

/**
 * A store in a local directory. {@link #createIfAbsent} writes a private temporary file and
 * hard-links it to its name, so a reader never sees a partial file and of racing writers exactly
 * one wins; a file system without hard links is refused with a message (an exclusive create would
 * let a reader see a torn commit after a crash). With {@code fsync} on, file contents and directory
 * entries are forced to disk before a later step names them.
 */
public final class LocalStorage implements Storage {
  private final Path root;
  private final boolean fsync;

  /**
   * @param root the store directory (made absolute)
   * @param fsync force contents and directory entries to disk
   */
  public LocalStorage(Path root, boolean fsync) {
    this.root = root.toAbsolutePath().normalize();
    this.fsync = fsync;
  }

  /** The store directory. */
  public Path root() {
    return root;
  }

  private Path path(String key) {
    return key.isEmpty() ? root : root.resolve(key);
  }

  @Override
  public String describe(String key) {
    return path(key).toString();
  }

  @Override
  public Optional<Path> localPath(String key) {
    return Optional.of(path(key));
  }

  @Override
  public ReadableFile open(String key) throws IOException {
    return openFile(path(key));
  }

  /**
   * Opens any local file for positioned reads (files outside a store: PyStore items to import).
   *
   * @param file the file
   * @return the open file
   * @throws java.nio.file.NoSuchFileException when absent
   */
  public static ReadableFile openFile(Path file) throws IOException {
    FileChannel ch = FileChannel.open(file, StandardOpenOption.READ);
    try {
      return new LocalFile(file, ch, ch.size());
    } catch (IOException e) {
      ch.close();
      throw e;
    }
  }

  @Override
  public NewFile create(String key) throws IOException {
    Path p = path(key);
    Files.createDirectories(p.getParent());
    return new LocalNewFile(
        p,
        FileChannel.open(
            p,
            StandardOpenOption.CREATE,
            StandardOpenOption.TRUNCATE_EXISTING,
            StandardOpenOption.WRITE),
        fsync);
  }

  @Override
  public boolean createIfAbsent(String key, byte[] data) throws IOException {
    Path target = path(key);
    Files.createDirectories(target.getParent());
    Path tmp = temporarySibling(target);
    try {
      write(tmp, data);
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
        syncDirectory(target.getParent());
      }
      return true;
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  private static boolean noHardLinks(FileSystemException e) {
    String reason = e.getReason() == null ? "" : e.getReason().toLowerCase(Locale.ROOT);
    return reason.contains("not supported") || reason.contains("not permitted");
  }

  @Override
  public void replace(String key, byte[] data) throws IOException {
    Path target = path(key);
    Files.createDirectories(target.getParent());
    Path tmp = temporarySibling(target);
    try {
      write(tmp, data);
      moveAtomically(tmp, target);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  private static Path temporarySibling(Path target) {
    return target.resolveSibling("." + target.getFileName() + "." + UUID.randomUUID() + ".tmp");
  }

  private void write(Path file, byte[] data) throws IOException {
    try (FileChannel ch =
        FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      ByteBuffer buf = ByteBuffer.wrap(data);
      while (buf.hasRemaining()) {
        ch.write(buf);
      }
      if (fsync) {
        ch.force(true);
      }
    }
  }

  @Override
  public byte[] read(String key) throws IOException {
    return Files.readAllBytes(path(key));
  }

  @Override
  public Optional<FileInfo> stat(String key) throws IOException {
    Path p = path(key);
    try {
      BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
      if (!a.isRegularFile()) {
        return Optional.empty();
      }
      return Optional.of(
          new FileInfo(p.getFileName().toString(), a.size(), a.lastModifiedTime().toMillis()));
    } catch (NoSuchFileException e) {
      return Optional.empty();
    }
  }

  @Override
  public boolean exists(String key) {
    return Files.isRegularFile(path(key));
  }

  @Override
  public List<FileInfo> list(String dir, String startAfter) throws IOException {
    List<FileInfo> out = new ArrayList<>();
    try (DirectoryStream<Path> s = Files.newDirectoryStream(path(dir))) {
      for (Path f : s) {
        String n = f.getFileName().toString();
        if (startAfter != null && n.compareTo(startAfter) <= 0) {
          continue;
        }
        try {
          BasicFileAttributes a = Files.readAttributes(f, BasicFileAttributes.class);
          if (a.isRegularFile()) {
            out.add(new FileInfo(n, a.size(), a.lastModifiedTime().toMillis()));
          }
        } catch (NoSuchFileException e) {
          // moved or deleted since the listing: not there
        }
      }
    } catch (NoSuchFileException | java.nio.file.NotDirectoryException e) {
      return out;
    }
    out.sort((a, b) -> a.name().compareTo(b.name()));
    return out;
  }

  @Override
  public List<String> directories(String dir) throws IOException {
    List<String> out = new ArrayList<>();
    try (DirectoryStream<Path> s = Files.newDirectoryStream(path(dir), Files::isDirectory)) {
      for (Path d : s) {
        out.add(d.getFileName().toString());
      }
    } catch (NoSuchFileException | java.nio.file.NotDirectoryException e) {
      return out;
    }
    Collections.sort(out);
    return out;
  }

  @Override
  public boolean isDirectory(String dir) {
    return Files.isDirectory(path(dir));
  }

  @Override
  public void delete(String key) throws IOException {
    Files.deleteIfExists(path(key));
  }

  @Override
  public boolean move(String from, String to) throws IOException {
    Path source = path(from);
    Path target = path(to);
    for (int attempt = 0; ; attempt++) {
      try {
        moveAtomically(source, target);
        return true;
      } catch (NoSuchFileException e) {
        // Missing source or missing target directory: tell them apart by the source, never by
        // the target's directory, which another writer may create meanwhile (then the source is
        // still here and must not be reported as moved by someone else).
        if (!Files.exists(source, LinkOption.NOFOLLOW_LINKS)) {
          return false;
        }
        if (attempt >= 2) {
          throw e;
        }
        Files.createDirectories(target.getParent());
      }
    }
  }

  @Override
  public boolean moveDirectory(String from, String to) throws IOException {
    Path target = path(to);
    Files.createDirectories(target.getParent());
    Files.move(path(from), target, StandardCopyOption.ATOMIC_MOVE);
    return true;
  }

  private static void moveAtomically(Path from, Path to) throws IOException {
    try {
      Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  @Override
  public boolean link(String existing, String link) throws IOException {
    Path l = path(link);
    Files.createDirectories(l.getParent());
    try {
      Files.createLink(l, path(existing));
      return true;
    } catch (UnsupportedOperationException e) {
      return false;
    } catch (FileSystemException e) {
      if (e instanceof NoSuchFileException || e instanceof FileAlreadyExistsException) {
        throw e;
      }
      if (noHardLinks(e)) {
        return false;
      }
      throw e;
    }
  }

  @Override
  public void touch(String key) throws IOException {
    try {
      Files.setLastModifiedTime(path(key), FileTime.fromMillis(System.currentTimeMillis()));
    } catch (NoSuchFileException e) {
      // moved on or vacuumed
    }
  }

  @Override
  public void deleteTree(String dir) throws IOException {
    deleteTree(path(dir));
  }

  /**
   * Deletes a directory tree of the local file system. Files that vanish meanwhile are fine.
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

  @Override
  public void sync(String dir) {
    if (fsync) {
      syncDirectory(path(dir));
    }
  }

  /** Forces a directory entry to disk where the platform allows it (not on Windows). */
  static void syncDirectory(Path dir) {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    } catch (IOException | UnsupportedOperationException e) {
      // Windows cannot open a directory as a channel; its rename is durable on its own terms.
    }
  }

  @Override
  public String toString() {
    return root.toString();
  }

  /** An open local file; keeps reading its content after a rename or delete. */
  private static final class LocalFile implements ReadableFile {
    private final Path path;
    private final FileChannel channel;
    private final long length;

    LocalFile(Path path, FileChannel channel, long length) {
      this.path = path;
      this.channel = channel;
      this.length = length;
    }

    @Override
    public long length() {
      return length;
    }

    @Override
    public void readFully(long position, ByteBuffer into) throws IOException {
      long pos = position;
      while (into.hasRemaining()) {
        int n = channel.read(into, pos);
        if (n < 0) {
          throw new EOFException("unexpected end of " + path + " at byte " + pos);
        }
        pos += n;
      }
    }

    @Override
    public String describe() {
      return path.toString();
    }

    @Override
    public void close() throws IOException {
      channel.close();
    }
  }

  /** A local file being written in place. */
  private static final class LocalNewFile extends NewFile {
    private final Path path;
    private final FileChannel channel;
    private final boolean fsync;
    private long position;
    private boolean done;

    LocalNewFile(Path path, FileChannel channel, boolean fsync) {
      this.path = path;
      this.channel = channel;
      this.fsync = fsync;
    }

    @Override
    public void write(int b) throws IOException {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      ByteBuffer buf = ByteBuffer.wrap(b, off, len);
      while (buf.hasRemaining()) {
        channel.write(buf);
      }
      position += len;
    }

    @Override
    public long position() {
      return position;
    }

    @Override
    public long finish() throws IOException {
      if (fsync) {
        channel.force(true);
      }
      channel.close();
      done = true;
      return position;
    }

    @Override
    public String describe() {
      return path.toString();
    }

    @Override
    public void close() throws IOException {
      if (!done) {
        done = true;
        channel.close();
        Files.deleteIfExists(path);
      }
    }
  }
}
