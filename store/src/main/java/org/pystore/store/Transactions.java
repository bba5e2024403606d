package org.pystore.store;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.pystore.store.log.CommitLog;
import org.pystore.store.log.Json;
import org.pystore.store.log.LogEntry;
import org.pystore.store.log.TxDecisions;
import org.pystore.store.storage.FileInfo;
import org.pystore.store.storage.Storage;

/**
 * The decision files of a collection's transactions, {@code <collection>/_tx/<id>.json}, each
 * created only if absent: the commit point of a {@link Transaction}. Decided outcomes never change,
 * so they are cached. Thread-safe.
 */
final class Transactions implements TxDecisions {
  /** The directory of decision files inside a collection (private: invisible to pandas). */
  static final String DIR = "_tx";

  static final String COMMITTED = "committed";
  static final String ABORTED = "aborted";

  private final Storage storage;
  private final String collection;
  private final String dir;
  private final Map<String, Decision> decided = new ConcurrentHashMap<>();

  Transactions(Storage storage, String collection) {
    this.storage = storage;
    this.collection = collection;
    this.dir = Storage.join(collection, DIR);
  }

  /**
   * A transaction's decision file.
   *
   * @param format file format version
   * @param id the transaction
   * @param outcome {@value #COMMITTED} or {@value #ABORTED}
   * @param timestamp when it was decided, epoch milliseconds
   * @param writer who decided (host and process id)
   * @param items for a commit, the version the transaction's entry took in each item's log
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  record Decision(
      int format,
      String id,
      String outcome,
      long timestamp,
      String writer,
      Map<String, Long> items) {
    boolean committed() {
      return COMMITTED.equals(outcome);
    }
  }

  @Override
  public Outcome outcome(String tx) {
    Decision d = decision(tx);
    return d == null ? Outcome.PENDING : d.committed() ? Outcome.COMMITTED : Outcome.ABORTED;
  }

  @Override
  public Outcome abort(String tx) {
    Decision mine =
        new Decision(
            LogEntry.FORMAT, tx, ABORTED, System.currentTimeMillis(), CommitLog.writer(), null);
    return create(mine) ? Outcome.ABORTED : outcome(tx);
  }

  /**
   * Decides a transaction committed, unless someone aborted it first.
   *
   * @param tx the transaction
   * @param items the version of its entry in each item's log
   * @return true when this call committed it; false when it was aborted
   * @throws CommitOutcomeUnknownException when the storage failed and the file cannot be read back
   */
  boolean commit(String tx, Map<String, Long> items) {
    Decision mine =
        new Decision(
            LogEntry.FORMAT, tx, COMMITTED, System.currentTimeMillis(), CommitLog.writer(), items);
    return create(mine) || outcome(tx) == Outcome.COMMITTED;
  }

  private boolean create(Decision d) {
    String key = key(d.id());
    byte[] json = Json.bytes(d);
    try {
      if (storage.createIfAbsent(key, json)) {
        decided.put(d.id(), d);
        return true;
      }
      return false;
    } catch (IOException | RuntimeException e) {
      byte[] there;
      try {
        there = storage.read(key);
      } catch (NoSuchFileException absent) {
        throw new StoreIOException(
            "cannot write the decision of transaction " + d.id() + " of '" + collection + "'",
            e instanceof IOException io ? io : new IOException(e));
      } catch (IOException | RuntimeException unknown) {
        e.addSuppressed(unknown);
        throw new CommitOutcomeUnknownException(
            "cannot tell whether transaction "
                + d.id()
                + " of '"
                + collection
                + "' was decided ("
                + e.getMessage()
                + "); its items show it once it is, and a writer aborts it after its deadline",
            e);
      }
      if (java.util.Arrays.equals(there, json)) {
        decided.put(d.id(), d);
        return true; // created, although a step after it failed
      }
      return false;
    }
  }

  /** The decision of a transaction, or null when it is undecided. */
  Decision decision(String tx) {
    Decision d = decided.get(tx);
    if (d == null) {
      d = read(tx);
      if (d != null) {
        decided.put(tx, d);
      }
    }
    return d;
  }

  private Decision read(String tx) {
    String key = key(tx);
    try {
      Decision d = Json.parse(storage.read(key), Decision.class);
      if (!tx.equals(d.id()) || !(COMMITTED.equals(d.outcome()) || ABORTED.equals(d.outcome()))) {
        throw new IOException("its content does not match its name");
      }
      return d;
    } catch (NoSuchFileException e) {
      return null;
    } catch (IOException e) {
      throw new CorruptLogException(
          "transaction decision "
              + storage.describe(key)
              + " is unreadable ("
              + e.getMessage()
              + "); restore it from a backup: the items it names cannot be read consistently"
              + " without it",
          e);
    }
  }

  /** The ids of every decided transaction (a listing of the decision files). */
  Set<String> decidedIds() {
    Set<String> out = new HashSet<>();
    try {
      for (FileInfo f : storage.list(dir)) {
        if (f.name().endsWith(".json")) {
          out.add(f.name().substring(0, f.name().length() - 5));
        }
      }
    } catch (IOException e) {
      throw new StoreIOException("cannot list the transactions of '" + collection + "'", e);
    }
    return out;
  }

  private String key(String tx) {
    return Storage.join(dir, tx + ".json");
  }
}
