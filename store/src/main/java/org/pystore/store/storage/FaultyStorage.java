package org.pystore.store.storage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * A storage that fails on purpose, for tests of failure paths: before each operation it asks a
 * {@link Faults} what to do. A fault {@link When#BEFORE} throws without doing anything; one {@link
 * When#AFTER} does the operation and then throws, as a timeout after a request the server carried
 * out does, so the caller cannot tell whether it happened.
 */
public final class FaultyStorage implements Storage {
  /** The operations of the SPI, as faults name them. */
  public enum Op {
    OPEN,
    READ_RANGE,
    CREATE,
    WRITE,
    FINISH,
    CREATE_IF_ABSENT,
    REPLACE,
    READ,
    STAT,
    LIST,
    DIRECTORIES,
    DELETE,
    MOVE,
    MOVE_DIRECTORY,
    LINK,
    TOUCH,
    DELETE_TREE
  }

  /** When an injected fault strikes. */
  public enum When {
    /** Throw before the operation: nothing happened. */
    BEFORE,
    /** Throw after the operation: it happened, the caller is told it failed. */
    AFTER
  }

  /** Decides, for each operation, whether it fails. */
  @FunctionalInterface
  public interface Faults {
    /**
     * @param op the operation
     * @param key the key it works on (the source for a move)
     * @return when to fail, or null to let it pass
     */
    When decide(Op op, String key);
  }

  private final Storage delegate;
  private volatile Faults faults;

  /**
   * @param delegate the storage that does the work
   * @param faults what fails; change it with {@link #faults(Faults)}
   */
  public FaultyStorage(Storage delegate, Faults faults) {
    this.delegate = delegate;
    this.faults = faults;
  }

  /** Replaces the faults; {@code (op, key) -> null} lets everything pass. */
  public void faults(Faults f) {
    this.faults = f;
  }

  /** The storage under this one. */
  public Storage delegate() {
    return delegate;
  }

  private When before(Op op, String key) throws IOException {
    When w = faults.decide(op, key);
    if (w == When.BEFORE) {
      throw new IOException("injected fault before " + op + " " + key);
    }
    return w;
  }

  private static void after(When w, Op op, String key) throws IOException {
    if (w == When.AFTER) {
      throw new IOException("injected fault after " + op + " " + key);
    }
  }

  @Override
  public String describe(String key) {
    return delegate.describe(key);
  }

  @Override
  public ReadableFile open(String key) throws IOException {
    When w = before(Op.OPEN, key);
    ReadableFile f = delegate.open(key);
    if (w == When.AFTER) {
      f.close();
      after(w, Op.OPEN, key);
    }
    return new ReadableFile() {
      @Override
      public long length() {
        return f.length();
      }

      @Override
      public void readFully(long position, ByteBuffer into) throws IOException {
        When r = before(Op.READ_RANGE, key);
        f.readFully(position, into);
        after(r, Op.READ_RANGE, key);
      }

      @Override
      public String describe() {
        return f.describe();
      }

      @Override
      public void close() throws IOException {
        f.close();
      }
    };
  }

  @Override
  public NewFile create(String key) throws IOException {
    When w = before(Op.CREATE, key);
    NewFile f = delegate.create(key);
    if (w == When.AFTER) {
      f.close();
      after(w, Op.CREATE, key);
    }
    return new NewFile() {
      @Override
      public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
      }

      @Override
      public void write(byte[] b, int off, int len) throws IOException {
        When x = before(Op.WRITE, key);
        f.write(b, off, len);
        after(x, Op.WRITE, key);
      }

      @Override
      public long position() {
        return f.position();
      }

      @Override
      public long finish() throws IOException {
        When x = before(Op.FINISH, key);
        long n = f.finish();
        after(x, Op.FINISH, key);
        return n;
      }

      @Override
      public String describe() {
        return f.describe();
      }

      @Override
      public void close() throws IOException {
        f.close();
      }
    };
  }

  @Override
  public boolean createIfAbsent(String key, byte[] data) throws IOException {
    When w = before(Op.CREATE_IF_ABSENT, key);
    boolean won = delegate.createIfAbsent(key, data);
    after(w, Op.CREATE_IF_ABSENT, key);
    return won;
  }

  @Override
  public void replace(String key, byte[] data) throws IOException {
    When w = before(Op.REPLACE, key);
    delegate.replace(key, data);
    after(w, Op.REPLACE, key);
  }

  @Override
  public byte[] read(String key) throws IOException {
    When w = before(Op.READ, key);
    byte[] b = delegate.read(key);
    after(w, Op.READ, key);
    return b;
  }

  @Override
  public Optional<FileInfo> stat(String key) throws IOException {
    When w = before(Op.STAT, key);
    Optional<FileInfo> i = delegate.stat(key);
    after(w, Op.STAT, key);
    return i;
  }

  @Override
  public List<FileInfo> list(String dir, String startAfter) throws IOException {
    When w = before(Op.LIST, dir);
    List<FileInfo> l = delegate.list(dir, startAfter);
    after(w, Op.LIST, dir);
    return l;
  }

  @Override
  public List<String> directories(String dir) throws IOException {
    When w = before(Op.DIRECTORIES, dir);
    List<String> l = delegate.directories(dir);
    after(w, Op.DIRECTORIES, dir);
    return l;
  }

  @Override
  public boolean isDirectory(String dir) throws IOException {
    When w = before(Op.DIRECTORIES, dir);
    boolean b = delegate.isDirectory(dir);
    after(w, Op.DIRECTORIES, dir);
    return b;
  }

  @Override
  public void delete(String key) throws IOException {
    When w = before(Op.DELETE, key);
    delegate.delete(key);
    after(w, Op.DELETE, key);
  }

  @Override
  public boolean move(String from, String to) throws IOException {
    When w = before(Op.MOVE, from);
    boolean moved = delegate.move(from, to);
    after(w, Op.MOVE, from);
    return moved;
  }

  @Override
  public boolean moveDirectory(String from, String to) throws IOException {
    When w = before(Op.MOVE_DIRECTORY, from);
    boolean moved = delegate.moveDirectory(from, to);
    after(w, Op.MOVE_DIRECTORY, from);
    return moved;
  }

  @Override
  public boolean link(String existing, String link) throws IOException {
    When w = before(Op.LINK, existing);
    boolean linked = delegate.link(existing, link);
    after(w, Op.LINK, existing);
    return linked;
  }

  @Override
  public void touch(String key) throws IOException {
    When w = before(Op.TOUCH, key);
    delegate.touch(key);
    after(w, Op.TOUCH, key);
  }

  @Override
  public void deleteTree(String dir) throws IOException {
    When w = before(Op.DELETE_TREE, dir);
    delegate.deleteTree(dir);
    after(w, Op.DELETE_TREE, dir);
  }

  @Override
  public void sync(String dir) {
    delegate.sync(dir);
  }

  @Override
  public Optional<Path> localPath(String key) {
    return delegate.localPath(key);
  }

  @Override
  public void close() {
    delegate.close();
  }
}
