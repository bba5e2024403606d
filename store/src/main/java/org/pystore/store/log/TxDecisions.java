package org.pystore.store.log;

/**
 * Where a commit log learns whether the transaction of one of its entries took effect. A
 * transaction writes one entry in the log of every item it changes (each entry undecided), then one
 * decision file for all of them, created only if absent: that file is the commit point, so every
 * entry of a transaction takes effect at once, or none does. A writer that meets an undecided entry
 * past its deadline may create the decision itself, as aborted; of the two, whoever creates the
 * file first decides.
 */
public interface TxDecisions {
  /** What became of a transaction. */
  enum Outcome {
    /** Its decision file says committed: its entries take effect. */
    COMMITTED,
    /** Its decision file says aborted: its entries change nothing. */
    ABORTED,
    /** No decision file yet: its entries are invisible and block the next commit of their items. */
    PENDING
  }

  /**
   * What became of a transaction, as its decision file says now (decided outcomes never change).
   *
   * @param tx the transaction's id
   * @return its outcome
   */
  Outcome outcome(String tx);

  /**
   * Aborts a transaction that is still undecided, by creating its decision file as aborted.
   *
   * @param tx the transaction's id
   * @return the outcome now: aborted, or committed when its coordinator decided first
   */
  Outcome abort(String tx);
}
