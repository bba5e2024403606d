package org.pystore.connect.sink;

import java.lang.management.ManagementFactory;
import java.util.concurrent.atomic.AtomicLong;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The figures of one sink task, published over JMX. */
final class SinkMetrics implements SinkMetricsMBean {
  private static final Logger LOG = LoggerFactory.getLogger(SinkMetrics.class);

  final AtomicLong written = new AtomicLong();
  final AtomicLong skipped = new AtomicLong();
  final AtomicLong dlq = new AtomicLong();
  final AtomicLong commits = new AtomicLong();
  final AtomicLong commitNanos = new AtomicLong();
  final AtomicLong maxCommitNanos = new AtomicLong();
  volatile int openItems;
  volatile long bufferedBytes;
  volatile long bufferedRecords;
  volatile long bufferedBytesPeak;
  private ObjectName name;

  void register(String connector, String task) {
    try {
      name =
          new ObjectName(
              "org.pystore.connect:type=sink-task-metrics,connector="
                  + ObjectName.quote(connector)
                  + ",task="
                  + task);
      MBeanServer server = ManagementFactory.getPlatformMBeanServer();
      if (server.isRegistered(name)) {
        server.unregisterMBean(name);
      }
      server.registerMBean(this, name);
    } catch (JMException e) {
      LOG.warn("could not register sink metrics over JMX", e);
    }
  }

  void unregister() {
    if (name == null) {
      return;
    }
    try {
      ManagementFactory.getPlatformMBeanServer().unregisterMBean(name);
    } catch (JMException e) {
      LOG.debug("metrics {} were already unregistered", name);
    }
  }

  void commit(long nanos, long rows) {
    commits.incrementAndGet();
    written.addAndGet(rows);
    commitNanos.addAndGet(nanos);
    maxCommitNanos.accumulateAndGet(nanos, Math::max);
  }

  @Override
  public long getRecordsWritten() {
    return written.get();
  }

  @Override
  public long getRecordsSkipped() {
    return skipped.get();
  }

  @Override
  public long getRecordsSentToDlq() {
    return dlq.get();
  }

  @Override
  public long getCommits() {
    return commits.get();
  }

  @Override
  public int getOpenItems() {
    return openItems;
  }

  @Override
  public long getBufferedBytes() {
    return bufferedBytes;
  }

  @Override
  public long getBufferedBytesPeak() {
    return bufferedBytesPeak;
  }

  @Override
  public long getBufferedRecords() {
    return bufferedRecords;
  }

  @Override
  public double getCommitLatencyAvgMs() {
    long n = commits.get();
    return n == 0 ? 0 : commitNanos.get() / 1e6 / n;
  }

  @Override
  public double getCommitLatencyMaxMs() {
    return maxCommitNanos.get() / 1e6;
  }
}
