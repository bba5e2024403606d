package org.pystore.connect.sink;

/**
 * JMX view of one sink task: {@code
 * org.pystore.connect:type=sink-task-metrics,connector=...,task=...}.
 */
public interface SinkMetricsMBean {
  /** Rows committed to items. */
  long getRecordsWritten();

  /** Records skipped because their item already held them (replays after a restart). */
  long getRecordsSkipped();

  /** Records sent to the dead letter queue. */
  long getRecordsSentToDlq();

  /** Item commits made. */
  long getCommits();

  /** Items with a buffer in this task. */
  int getOpenItems();

  /** Estimated bytes of buffered rows. */
  long getBufferedBytes();

  /** Largest estimated bytes of buffered rows seen after a put. */
  long getBufferedBytesPeak();

  /** Buffered rows. */
  long getBufferedRecords();

  /** Mean commit latency, ms. */
  double getCommitLatencyAvgMs();

  /** Largest commit latency, ms. */
  double getCommitLatencyMaxMs();
}
