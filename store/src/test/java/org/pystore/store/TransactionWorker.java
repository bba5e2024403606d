package org.pystore.store;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * A separate JVM committing transactions over items A, B and C of collection {@code c}: {@code
 * TransactionWorker root writerId transactions rows timeoutMillis}. Transaction t appends the same
 * batch ({@link AppendWorker#batch}) to every item.
 */
public final class TransactionWorker {
  static final List<String> ITEMS = List.of("A", "B", "C");

  private TransactionWorker() {}

  public static void main(String[] args) {
    Store store = Store.open(Path.of(args[0]));
    int writer = Integer.parseInt(args[1]);
    int transactions = Integer.parseInt(args[2]);
    int rows = Integer.parseInt(args[3]);
    Duration timeout = Duration.ofMillis(Long.parseLong(args[4]));
    PyCollection c = store.collection("c");
    for (int t = 0; t < transactions; t++) {
      Transaction tx = c.transaction(timeout);
      for (String item : ITEMS) {
        tx.append(item, AppendWorker.batch(writer, t, rows));
      }
      tx.commit();
    }
  }
}
