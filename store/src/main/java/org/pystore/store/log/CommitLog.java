package org.pystore.store.log;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.NoSuchFileException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.LockSupport;
import org.pystore.store.CommitHook;
import org.pystore.store.CommitOutcomeUnknownException;
import org.pystore.store.CommitStep;
import org.pystore.store.ConcurrentCommitException;
import org.pystore.store.CorruptLogException;
import org.pystore.store.NotFoundException;
import org.pystore.store.StoreIOException;
import org.pystore.store.storage.FileInfo;
import org.pystore.store.storage.Storage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The commit log of one item: files {@code _log/<version>.json}, each created atomically and only
 * if absent, so of two writers racing for one version exactly one wins. The item's state at version
 * v is the replay of entries 0..v, sped up by checkpoints {@code _log/<version>.checkpoint.json}.
 *
 * <p>An entry of a transaction ({@link LogEntry#tx()}) takes effect only once its decision says
 * committed; an aborted one changes nothing but the version number. An undecided entry can only be
 * the last: every commit first waits for it to be decided (or aborts it past its deadline), so the
 * state a writer builds on never holds an undecided change, and readers stop just before it.
 * Thread-safe.
 */
public final class CommitLog {
  private static final Logger LOG = LoggerFactory.getLogger(CommitLog.class);
  private static final int MAX_ATTEMPTS = 500;
  private static final String WRITER =
      ManagementFactory.getRuntimeMXBean().getName().replace('@', ' ');

  private final Storage storage;
  private final String dir;
  private final String label;
  private final int checkpointInterval;
  private final CommitHook hook;
  private final TxDecisions decisions;
  private ItemState cached;

  /** The undecided entry right after {@link #cached}, if any (guarded by this). */
  private LogEntry pending;

  /**
   * Opens the log of an item.
   *
   * @param storage the store's storage
   * @param dir the key of the {@code _log} directory (need not exist yet)
   * @param label the item as {@code collection/item}, for messages
   * @param checkpointInterval commits between checkpoints
   * @param hook observer of commit steps
   * @param decisions the decisions of the transactions of the item's collection
   */
  public CommitLog(
      Storage storage,
      String dir,
      String label,
      int checkpointInterval,
      CommitHook hook,
      TxDecisions decisions) {
    this.storage = storage;
    this.dir = dir;
    this.label = label;
    this.checkpointInterval = checkpointInterval;
    this.hook = hook;
    this.decisions = decisions;
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
   * @return the state, or empty when the item has no commit or its latest commit deleted it
   */
  public Optional<ItemState> latest() {
    return head().filter(s -> !s.deleted());
  }

  /**
   * The state at the latest commit, which may be a deletion ({@link ItemState#deleted()}).
   *
   * @return the state, or empty when the log has no commit
   */
  public synchronized Optional<ItemState> head() {
    if (cached == null) {
      cached = load();
    } else {
      cached = rollForward(cached);
    }
    return Optional.ofNullable(cached);
  }

  /**
   * The undecided transaction entry after the latest state, if there is one: a transaction is under
   * way (or its coordinator died and nobody aborted it yet).
   *
   * @return the entry, or empty
   */
  public synchronized Optional<LogEntry> undecided() {
    head();
    return Optional.ofNullable(pending);
  }

  /**
   * Waits until the undecided entry after the latest state (if any) is decided, and aborts its
   * transaction when its deadline passes first. Writers call it before each commit; vacuum before
   * it judges staged files.
   *
   * @return true when there was an entry to wait for
   */
  public boolean awaitUndecided() {
    LogEntry p = undecided().orElse(null);
    if (p == null) {
      return false;
    }
    awaitDecision(p);
    head();
    return true;
  }

  /** Waits for a transaction's decision; past its deadline, aborts it. */
  private void awaitDecision(LogEntry p) {
    long deadline = p.txDeadline() == null ? 0 : p.txDeadline();
    long sleepMicros = 200;
    while (decisions.outcome(p.tx()) == TxDecisions.Outcome.PENDING) {
      if (System.currentTimeMillis() > deadline) {
        TxDecisions.Outcome o = decisions.abort(p.tx());
        LOG.warn(
            "{}: transaction {} was still undecided at its deadline (its writer stopped?); {}",
            label,
            p.tx(),
            o == TxDecisions.Outcome.ABORTED
                ? "aborted it: its version " + p.version() + " changes nothing"
                : "its writer committed it just now");
        break;
      }
      LockSupport.parkNanos(sleepMicros * 1000);
      sleepMicros = Math.min(sleepMicros * 2, 50_000);
    }
  }

  /** What became of an entry: committed outside transactions, else its transaction's outcome. */
  private TxDecisions.Outcome outcome(LogEntry e) {
    return e.tx() == null ? TxDecisions.Outcome.COMMITTED : decisions.outcome(e.tx());
  }

  /** The state after a decided entry. */
  private static ItemState step(ItemState s, LogEntry e, TxDecisions.Outcome o) {
    return o == TxDecisions.Outcome.ABORTED ? ItemState.unchanged(s, e) : ItemState.apply(s, e);
  }

  /**
   * The state at a given version.
   *
   * @param version a version between 0 and the latest
   * @return the state
   * @throws NotFoundException when the version does not exist
   */
  public ItemState at(long version) {
    ItemState last = head().orElse(null);
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
    ItemState s = stateAt(version);
    if (s.deleted()) {
      throw new NotFoundException(
          "version "
              + version
              + " of '"
              + label
              + "' is its deletion; earlier versions stay readable until vacuumed, see 'pystore"
              + " history "
              + label
              + "'");
    }
    return s;
  }

  /**
   * The state at a version, which may be a deletion.
   *
   * @param version a version between 0 and the latest
   * @return the state
   * @throws NotFoundException when the version does not exist
   */
  public ItemState stateAt(long version) {
    ItemState last = head().orElse(null);
    if (last == null || version < 0 || version > last.version()) {
      throw new NotFoundException(
          "version " + version + " of '" + label + "' does not exist (yet)");
    }
    ItemState s = last;
    if (version != last.version()) {
      s = nearestCheckpoint(version);
      for (long v = s == null ? 0 : s.version() + 1; v <= version; v++) {
        LogEntry e = read(v);
        s = step(s, e, outcome(e));
      }
    }
    return s;
  }

  /**
   * Every entry up to the latest state, oldest first; an aborted transaction's entry is shown as an
   * {@link ItemState#ABORTED} entry that adds and removes nothing.
   */
  public List<LogEntry> entries() {
    ItemState last = head().orElse(null);
    List<LogEntry> out = new ArrayList<>();
    if (last != null) {
      for (long v = 0; v <= last.version(); v++) {
        LogEntry e = read(v);
        out.add(outcome(e) == TxDecisions.Outcome.ABORTED ? aborted(e) : e);
      }
    }
    return out;
  }

  private static LogEntry aborted(LogEntry e) {
    return new LogEntry(
        e.format(),
        e.version(),
        ItemState.ABORTED,
        e.timestamp(),
        e.writer(),
        null,
        null,
        List.of(),
        List.of(),
        null,
        null,
        null,
        e.tx(),
        e.txDeadline(),
        null);
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
    return commit(builder, List.of());
  }

  /**
   * Commits like {@link #commit(EntryBuilder)}, then checks that the log and the entry's new parts
   * are still where they were: a writer whose cached state outlived a removal of the item's
   * directory (by hand, or an older store's delete) would otherwise start a log without its earlier
   * versions. Such an entry is taken back and the commit retried against what is there now.
   *
   * @param builder builds the entry for a given state and version
   * @param partDirs directories where each added part must be found after the commit (staging, or
   *     the item directory once another writer published it)
   * @return the state after the commit
   */
  public ItemState commit(EntryBuilder builder, List<String> partDirs) {
    for (int attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      ItemState head;
      LogEntry open;
      synchronized (this) { // one read of the log per attempt
        head = head().orElse(null);
        open = pending;
      }
      if (open != null) {
        awaitDecision(open);
        attempt--; // waiting for a transaction is no lost race
        continue;
      }
      ItemState current = head == null || head.deleted() ? null : head;
      long version = head == null ? 0 : head.version() + 1;
      LogEntry entry = builder.build(current, version);
      ItemState next = ItemState.apply(head, entry);
      byte[] json = Json.bytes(entry);
      if (tryCreate(version, json, entry.tx() != null)) {
        if (vanished(version, entry, partDirs)) {
          continue;
        }
        synchronized (this) {
          if (cached != null && cached.version() == version - 1) {
            if (entry.tx() == null) {
              cached = next;
            } else {
              pending = entry; // takes effect with its transaction's decision
            }
          }
        }
        if (version > 0
            && version % checkpointInterval == 0
            && !next.deleted()
            && entry.tx() == null) {
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

  /**
   * Whether the entry just created landed in a log that was removed meanwhile; if so, takes it back
   * and forgets the cached state.
   */
  private boolean vanished(long version, LogEntry entry, List<String> partDirs) {
    boolean logGone;
    String missingPart = null;
    try {
      logGone = version > 0 && !storage.exists(entryKey(version - 1));
      if (!logGone) {
        for (PartInfo p : entry.add()) {
          boolean found = partDirs.isEmpty();
          for (String d : partDirs) {
            found = found || storage.exists(Storage.join(d, p.name()));
          }
          if (!found) {
            missingPart = p.name();
            break;
          }
        }
      }
    } catch (IOException e) {
      // the entry is created; a check that cannot run must not take it back
      LOG.warn(
          "{}: could not check version {} after its commit ({})", label, version, e.toString());
      return false;
    }
    if (!logGone && missingPart == null) {
      return false;
    }
    String mine = entryKey(version);
    try {
      storage.delete(mine);
    } catch (IOException e) {
      throw new StoreIOException(
          "the directory of '"
              + label
              + "' was removed while version "
              + version
              + " was committed, and that entry cannot be taken back; delete "
              + storage.describe(mine)
              + " by hand",
          e);
    }
    synchronized (this) {
      cached = null;
    }
    if (missingPart != null) {
      throw new StoreIOException(
          "the directory of '"
              + label
              + "' was removed while a commit was under way (part "
              + missingPart
              + " is gone); nothing was committed: retry the write");
    }
    LOG.warn(
        "{}: its log was removed under this writer (deleted by another process?); version {} was"
            + " taken back and the commit is retried against the log as it is now",
        label,
        version);
    return true;
  }

  /**
   * Creates the entry of a version if absent. When something fails after the entry may have been
   * created, the entry decides: present with these bytes means committed.
   */
  private boolean tryCreate(long version, byte[] json, boolean inTransaction) {
    String target = entryKey(version);
    try {
      if (storage.exists(target)) {
        return false;
      }
      hook.at(CommitStep.ENTRY_STAGED, label);
      boolean won = storage.createIfAbsent(target, json);
      if (won) {
        hook.at(inTransaction ? CommitStep.TX_PREPARED : CommitStep.COMMITTED, label);
      }
      return won;
    } catch (IOException | RuntimeException e) {
      boolean ours;
      try {
        ours = java.util.Arrays.equals(storage.read(target), json);
      } catch (NoSuchFileException absent) {
        ours = false;
      } catch (IOException | RuntimeException unknown) {
        e.addSuppressed(unknown);
        throw new CommitOutcomeUnknownException(
            "cannot tell whether commit "
                + version
                + " of '"
                + label
                + "' was made ("
                + e.getMessage()
                + "); its new parts are kept: retry, and the item's recorded offsets decide",
            e);
      }
      if (ours) {
        LOG.warn(
            "{}: version {} is committed, although a step after it failed ({})",
            label,
            version,
            e.toString());
        return true;
      }
      if (e instanceof IOException io) {
        throw new StoreIOException("cannot write commit " + version + " of '" + label + "'", io);
      }
      throw (RuntimeException) e;
    }
  }

  private void writeCheckpoint(ItemState state) {
    String target = Storage.join(dir, checkpointName(state.version()));
    try {
      hook.at(CommitStep.LOG_CHECKPOINT, label);
      storage.replace(target, Json.bytes(state.toCheckpoint()));
    } catch (IOException | RuntimeException e) {
      // A checkpoint only speeds up replay; the log stays complete without it.
      LOG.warn(
          "{}: could not write checkpoint {} (reads replay the log instead)",
          label,
          storage.describe(target),
          e);
    }
  }

  private ItemState load() {
    TreeSet<Long> versions = new TreeSet<>();
    TreeSet<Long> checkpoints = new TreeSet<>();
    try {
      for (FileInfo f : storage.list(dir)) {
        String n = f.name();
        if (n.length() == 25 && n.endsWith(".json") && isDigits(n, 20)) {
          versions.add(Long.parseLong(n.substring(0, 20)));
        } else if (n.endsWith(".checkpoint.json") && isDigits(n, 20)) {
          checkpoints.add(Long.parseLong(n.substring(0, 20)));
        }
      }
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
    pending = null;
    for (long v = s == null ? 0 : s.version() + 1; v <= max; v++) {
      if (!versions.contains(v)) {
        throw missing(v, max);
      }
      LogEntry e = read(v);
      TxDecisions.Outcome o = outcome(e);
      if (o == TxDecisions.Outcome.PENDING) {
        pending = e;
        return s;
      }
      s = step(s, e, o);
    }
    return s == null ? null : rollForward(s);
  }

  private ItemState rollForward(ItemState s) {
    long v = s.version() + 1;
    pending = null;
    try {
      while (true) {
        byte[] next = readIfPresent(v);
        if (next != null) {
          LogEntry e = parse(v, next);
          TxDecisions.Outcome o = outcome(e);
          if (o == TxDecisions.Outcome.PENDING) {
            pending = e;
            return s;
          }
          s = step(s, e, o);
          v++;
        } else if (storage.exists(entryKey(v + 1))) {
          // v+1 may have been committed (after v) between the two checks: look again
          if (!storage.exists(entryKey(v))) {
            throw missing(v, v + 1);
          }
        } else {
          return s;
        }
      }
    } catch (IOException e) {
      throw new StoreIOException("cannot read the commit log of '" + label + "'", e);
    }
  }

  private byte[] readIfPresent(long version) throws IOException {
    try {
      return storage.read(entryKey(version));
    } catch (NoSuchFileException e) {
      return null;
    }
  }

  private String entryKey(long version) {
    return Storage.join(dir, fileName(version));
  }

  private ItemState nearestCheckpoint(long version) {
    for (long c = (version / checkpointInterval) * checkpointInterval;
        c > 0;
        c -= checkpointInterval) {
      ItemState s = readCheckpoint(c);
      if (s != null) {
        return s;
      }
    }
    return null;
  }

  private ItemState readCheckpoint(long version) {
    String f = Storage.join(dir, checkpointName(version));
    try {
      ItemState.Checkpoint c = Json.parse(storage.read(f), ItemState.Checkpoint.class);
      if (c.version() != version || c.schema() == null || c.options() == null) {
        throw new IOException("checkpoint content does not match its name");
      }
      return ItemState.fromCheckpoint(c);
    } catch (NoSuchFileException e) {
      return null;
    } catch (IOException | RuntimeException e) {
      LOG.warn(
          "{}: ignoring unreadable checkpoint {} and replaying the log instead",
          label,
          storage.describe(f),
          e);
      return null;
    }
  }

  private LogEntry read(long version) {
    byte[] bytes;
    try {
      bytes = storage.read(entryKey(version));
    } catch (NoSuchFileException e) {
      throw missing(version, version);
    } catch (IOException e) {
      throw new StoreIOException(
          "cannot read commit log entry " + storage.describe(entryKey(version)), e);
    }
    return parse(version, bytes);
  }

  private LogEntry parse(long version, byte[] bytes) {
    try {
      LogEntry e = Json.parse(bytes, LogEntry.class);
      if (e.version() != version) {
        throw new IOException("the entry says version " + e.version());
      }
      return e;
    } catch (IOException | RuntimeException e) {
      throw new CorruptLogException(
          "commit log entry "
              + storage.describe(entryKey(version))
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
            + storage.describe(entryKey(version))
            + " of '"
            + label
            + "' is missing although version "
            + seen
            + " exists; restore it from a backup: without it the item cannot be read consistently",
        null);
  }

  /**
   * Whether a log's latest decided entry is a deletion, reading only the newest entries (for
   * listings). Entries of transactions not committed are passed over: an item that only an aborted
   * or undecided transaction created does not exist.
   *
   * @param storage the store's storage
   * @param logDir the key of an item's {@code _log} directory
   * @param decisions the decisions of the collection's transactions
   * @return true when the newest decided entry deletes the item, or when there is none but some
   *     entry exists; false when it does not delete or the log is empty
   */
  public static boolean endsInDeletion(Storage storage, String logDir, TxDecisions decisions) {
    long max = -1;
    try {
      for (FileInfo f : storage.list(logDir)) {
        String n = f.name();
        if (n.length() == 25 && n.endsWith(".json") && isDigits(n, 20)) {
          max = Math.max(max, Long.parseLong(n.substring(0, 20)));
        }
      }
    } catch (IOException e) {
      throw new StoreIOException("cannot list commit log " + storage.describe(logDir), e);
    }
    if (max < 0) {
      return false;
    }
    try {
      for (long v = max; v >= 0; v--) {
        LogEntry e = Json.parse(storage.read(Storage.join(logDir, fileName(v))), LogEntry.class);
        if (e.tx() == null || decisions.outcome(e.tx()) == TxDecisions.Outcome.COMMITTED) {
          return ItemState.DELETE.equals(e.operation());
        }
      }
      return true; // only transactions that never took effect: no item
    } catch (IOException | RuntimeException e) {
      return false; // a damaged entry is reported by whoever reads the item
    }
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
