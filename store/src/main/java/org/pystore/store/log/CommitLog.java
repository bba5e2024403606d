package org.pystore.store.log;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.LockSupport;
import org.pystore.store.CommitHook;
import org.pystore.store.CommitStep;
import org.pystore.store.ConcurrentCommitException;
import org.pystore.store.CorruptLogException;
import org.pystore.store.NotFoundException;
import org.pystore.store.StoreIOException;
import org.pystore.store.fs.AtomicFiles;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The commit log of one item: files {@code _log/<version>.json}, each created atomically and only
 * if absent, so of two writers racing for one version exactly one wins. The item's state at version
 * v is the replay of entries 0..v, sped up by checkpoints {@code _log/<version>.checkpoint.json}.
 * Thread-safe.
 */
public final class CommitLog {
  private static final Logger LOG = LoggerFactory.getLogger(CommitLog.class);
  private static final int MAX_ATTEMPTS = 500;
  private static final String WRITER =
      ManagementFactory.getRuntimeMXBean().getName().replace('@', ' ');

  private final Path dir;
  private final String label;
  private final boolean fsync;
  private final int checkpointInterval;
  private final CommitHook hook;
  private ItemState cached;

  /**
   * Opens the log of an item.
   *
   * @param dir the {@code _log} directory (need not exist yet)
   * @param label the item as {@code collection/item}, for messages
   * @param fsync force entries to disk
   * @param checkpointInterval commits between checkpoints
   * @param hook observer of commit steps
   */
  public CommitLog(Path dir, String label, boolean fsync, int checkpointInterval, CommitHook hook) {
    this.dir = dir;
    this.label = label;
    this.fsync = fsync;
    this.checkpointInterval = checkpointInterval;
    this.hook = hook;
  }

  /** Builds the entry of a commit from the state it applies to. */
  @FunctionalInterface
  public interface EntryBuilder {
    /**
     * @param current the latest state, null when the item has no commit yet
     * @param version the version the entry will take
     * @return the entry; throw to abort the commit
     */
    LogEntry build(ItemState current, long version);
  }

  /** The writer id recorded in entries: process id and host. */
  public static String writer() {
    return WRITER;
  }

  static String fileName(long version) {
    return String.format(Locale.ROOT, "%020d.json", version);
  }

  static String checkpointName(long version) {
    return String.format(Locale.ROOT, "%020d.checkpoint.json", version);
  }

  /**
   * The latest state, reading whatever was committed since the last call.
   *
   * @return the state, or empty when the item has no commit
   */
  public synchronized Optional<ItemState> latest() {
    if (cached == null) {
      cached = load();
    } else {
      cached = rollForward(cached);
    }
    return Optional.ofNullable(cached);
  }

  /**
   * The state at a given version.
   *
   * @param version a version between 0 and the latest
   * @return the state
   * @throws NotFoundException when the version does not exist
   */
  public ItemState at(long version) {
    ItemState last = latest().orElse(null);
    if (last == null || version < 0 || version > last.version()) {
      throw new NotFoundException(
          "version "
              + version
              + " of '"
              + label
              + "' does not exist"
              + (last == null ? "" : "; versions run from 0 to " + last.version())
              + "; see 'pystore history "
              + label
              + "'");
    }
    if (version == last.version()) {
      return last;
    }
    ItemState s = nearestCheckpoint(version);
    for (long v = s == null ? 0 : s.version() + 1; v <= version; v++) {
      s = ItemState.apply(s, read(v));
    }
    return s;
  }

  /** Every entry, oldest first. */
  public List<LogEntry> entries() {
    ItemState last = latest().orElse(null);
    List<LogEntry> out = new ArrayList<>();
    if (last != null) {
      for (long v = 0; v <= last.version(); v++) {
        out.add(read(v));
      }
    }
    return out;
  }

  /**
   * Commits one entry with optimistic concurrency: builds it against the latest state and tries to
   * create the next version; when another writer took that version first, builds again against the
   * new state. The builder decides what conflicts (by throwing).
   *
   * @param builder builds the entry for a given state and version
   * @return the state after the commit
   * @throws ConcurrentCommitException when other writers kept winning
   */
  public ItemState commit(EntryBuilder builder) {
    for (int attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      ItemState current = latest().orElse(null);
      long version = current == null ? 0 : current.version() + 1;
      LogEntry entry = builder.build(current, version);
      ItemState next = ItemState.apply(current, entry);
      byte[] json = Json.bytes(entry);
      if (tryCreate(version, json)) {
        synchronized (this) {
          if (cached != null && cached.version() == version - 1) {
            cached = next;
          }
        }
        if (version > 0 && version % checkpointInterval == 0) {
          writeCheckpoint(next);
        }
        return next;
      }
      LOG.debug("{}: lost the race for version {}, attempt {}", label, version, attempt);
      LockSupport.parkNanos(ThreadLocalRandom.current().nextLong(50_000L * Math.min(attempt, 40)));
    }
    throw new ConcurrentCommitException(
        "could not commit to '"
            + label
            + "' after "
            + MAX_ATTEMPTS
            + " attempts: other writers kept committing first; retry later or reduce concurrent writers");
  }

  private boolean tryCreate(long version, byte[] json) {
    try {
      Files.createDirectories(dir);
      Path target = dir.resolve(fileName(version));
      if (Files.exists(target)) {
        return false;
      }
      hook.at(CommitStep.ENTRY_STAGED, label);
      boolean won = AtomicFiles.createExclusive(target, json, fsync);
      if (won) {
        hook.at(CommitStep.COMMITTED, label);
      }
      return won;
    } catch (IOException e) {
      throw new StoreIOException("cannot write commit " + version + " of '" + label + "'", e);
    }
  }

  private void writeCheckpoint(ItemState state) {
    Path target = dir.resolve(checkpointName(state.version()));
    try {
      AtomicFiles.replace(target, Json.bytes(state.toCheckpoint()), fsync);
    } catch (IOException | RuntimeException e) {
      // A checkpoint only speeds up replay; the log stays complete without it.
      LOG.warn(
          "{}: could not write checkpoint {} (reads replay the log instead)", label, target, e);
    }
  }

  private ItemState load() {
    TreeSet<Long> versions = new TreeSet<>();
    TreeSet<Long> checkpoints = new TreeSet<>();
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
      for (Path f : files) {
        String n = f.getFileName().toString();
        if (n.length() == 25 && n.endsWith(".json") && isDigits(n, 20)) {
          versions.add(Long.parseLong(n.substring(0, 20)));
        } else if (n.endsWith(".checkpoint.json") && isDigits(n, 20)) {
          checkpoints.add(Long.parseLong(n.substring(0, 20)));
        }
      }
    } catch (NoSuchFileException e) {
      return null;
    } catch (IOException e) {
      throw new StoreIOException("cannot list the commit log of '" + label + "'", e);
    }
    if (versions.isEmpty()) {
      return null;
    }
    long max = versions.last();
    ItemState s = null;
    for (Long c : checkpoints.descendingSet()) {
      if (c <= max) {
        s = readCheckpoint(c);
        if (s != null) {
          break;
        }
      }
    }
    for (long v = s == null ? 0 : s.version() + 1; v <= max; v++) {
      if (!versions.contains(v)) {
        throw missing(v, max);
      }
      s = ItemState.apply(s, read(v));
    }
    return rollForward(s);
  }

  private ItemState rollForward(ItemState s) {
    long v = s.version() + 1;
    while (true) {
      if (Files.exists(dir.resolve(fileName(v)))) {
        s = ItemState.apply(s, read(v));
        v++;
      } else if (Files.exists(dir.resolve(fileName(v + 1)))) {
        // v+1 may have been committed (after v) between the two checks: look again
        if (!Files.exists(dir.resolve(fileName(v)))) {
          throw missing(v, v + 1);
        }
      } else {
        return s;
      }
    }
  }

  private ItemState nearestCheckpoint(long version) {
    for (long c = (version / checkpointInterval) * checkpointInterval;
        c > 0;
        c -= checkpointInterval) {
      if (Files.exists(dir.resolve(checkpointName(c)))) {
        ItemState s = readCheckpoint(c);
        if (s != null) {
          return s;
        }
      }
    }
    return null;
  }

  private ItemState readCheckpoint(long version) {
    Path f = dir.resolve(checkpointName(version));
    try {
      ItemState.Checkpoint c = Json.parse(Files.readAllBytes(f), ItemState.Checkpoint.class);
      if (c.version() != version || c.schema() == null || c.options() == null) {
        throw new IOException("checkpoint content does not match its name");
      }
      return ItemState.fromCheckpoint(c);
    } catch (IOException | RuntimeException e) {
      LOG.warn("{}: ignoring unreadable checkpoint {} and replaying the log instead", label, f, e);
      return null;
    }
  }

  private LogEntry read(long version) {
    Path f = dir.resolve(fileName(version));
    try {
      LogEntry e = Json.parse(Files.readAllBytes(f), LogEntry.class);
      if (e.version() != version) {
        throw new IOException("the entry says version " + e.version());
      }
      return e;
    } catch (NoSuchFileException e) {
      throw missing(version, version);
    } catch (IOException | RuntimeException e) {
      throw new CorruptLogException(
          "commit log entry "
              + f
              + " of '"
              + label
              + "' is unreadable ("
              + e.getMessage()
              + "); restore it from a backup: without it the item cannot be read consistently",
          e);
    }
  }

  private CorruptLogException missing(long version, long seen) {
    return new CorruptLogException(
        "commit log entry "
            + dir.resolve(fileName(version))
            + " of '"
            + label
            + "' is missing although version "
            + seen
            + " exists; restore it from a backup: without it the item cannot be read consistently",
        null);
  }

  private static boolean isDigits(String s, int n) {
    for (int i = 0; i < n; i++) {
      if (!Character.isDigit(s.charAt(i))) {
        return false;
      }
    }
    return true;
  }
}
