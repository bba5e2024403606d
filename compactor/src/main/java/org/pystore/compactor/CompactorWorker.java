package org.pystore.compactor;

import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;
import org.pystore.store.Store;
import org.quartz.CronScheduleBuilder;
import org.quartz.JobBuilder;
import org.quartz.JobDetail;
import org.quartz.Scheduler;
import org.quartz.SchedulerException;
import org.quartz.Trigger;
import org.quartz.TriggerBuilder;
import org.quartz.impl.StdSchedulerFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The long-lived compactor process: one Quartz cron trigger per schedule (in memory, no database),
 * each firing a compaction pass over its collections. {@link #shutdown()} abandons the merge in
 * progress safely and waits for the pass to end.
 */
public final class CompactorWorker implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(CompactorWorker.class);

  private final CompactorConfig config;
  private final Store store;
  private final CompactionService service;
  private final AtomicLong passes = new AtomicLong();
  private Scheduler scheduler;

  public CompactorWorker(CompactorConfig config) {
    this.config = config;
    boolean remote = org.pystore.store.storage.StorageProvider.schemeOf(config.store()) != null;
    if (!remote && !java.nio.file.Files.isDirectory(java.nio.file.Path.of(config.store()))) {
      throw new IllegalArgumentException(
          CompactorConfig.STORE_PATH
              + "="
              + config.store()
              + " is not a directory; point it at the store the sink writes (its store.path)");
    }
    this.store =
        Store.open(
            config.store(), org.pystore.store.StoreOptions.defaults(), config.storageSettings());
    this.service = new CompactionService(store, config.options());
  }

  public CompactorConfig config() {
    return config;
  }

  /** Passes finished so far. */
  public long passes() {
    return passes.get();
  }

  /** Runs one pass of a schedule. */
  public PassSummary runPass(CompactorConfig.Schedule schedule) {
    List<String> scope = schedule.collections();
    if (scope == null) {
      scope = new ArrayList<>(store.collections());
      scope.removeAll(schedule.excluded());
    }
    PassSummary s = service.run(scope, null);
    passes.incrementAndGet();
    return s;
  }

  /**
   * Runs every schedule's pass once, one after the other (the {@code --once} mode).
   *
   * @return the summaries
   */
  public List<PassSummary> runOnce() {
    List<PassSummary> out = new ArrayList<>();
    for (CompactorConfig.Schedule s : config.schedules()) {
      if (service.stopping()) {
        break;
      }
      out.add(runPass(s));
    }
    return out;
  }

  /** Starts the scheduler; passes run on Quartz threads until {@link #shutdown()}. */
  public synchronized void start() {
    Properties q = new Properties();
    q.setProperty(StdSchedulerFactory.PROP_SCHED_INSTANCE_NAME, "pystore-compactor");
    q.setProperty(StdSchedulerFactory.PROP_SCHED_INSTANCE_ID, "local");
    q.setProperty(StdSchedulerFactory.PROP_JOB_STORE_CLASS, "org.quartz.simpl.RAMJobStore");
    q.setProperty("org.quartz.threadPool.threadCount", Integer.toString(config.schedules().size()));
    q.setProperty("org.quartz.threadPool.makeThreadsDaemons", "true");
    try {
      scheduler = new StdSchedulerFactory(q).getScheduler();
      scheduler.getContext().put(CompactorJob.WORKER, this);
      for (int i = 0; i < config.schedules().size(); i++) {
        CompactorConfig.Schedule s = config.schedules().get(i);
        JobDetail job =
            JobBuilder.newJob(CompactorJob.class)
                .withIdentity("compact-" + i, "pystore")
                .usingJobData(CompactorJob.SCHEDULE, i)
                .build();
        Trigger trigger =
            TriggerBuilder.newTrigger()
                .withIdentity("cron-" + i, "pystore")
                .withSchedule(
                    CronScheduleBuilder.cronSchedule(s.cron())
                        .withMisfireHandlingInstructionFireAndProceed())
                .build();
        scheduler.scheduleJob(job, trigger);
        LOG.info(
            "schedule '{}': '{}' ({}), next run at {}",
            s.name(),
            s.cron().getCronExpression(),
            s.cron().getTimeZone().getID(),
            trigger.getNextFireTime() == null
                ? s.cron().getNextValidTimeAfter(new java.util.Date())
                : trigger.getNextFireTime());
      }
      scheduler.start();
    } catch (SchedulerException e) {
      throw new IllegalStateException("cannot start the compactor's scheduler: " + e, e);
    }
  }

  /**
   * Stops: the current merge is abandoned (its files removed), the current pass ends, Quartz stops.
   */
  public synchronized void shutdown() {
    service.stop();
    if (scheduler != null) {
      try {
        scheduler.shutdown(true);
      } catch (SchedulerException e) {
        LOG.warn("compactor scheduler did not stop cleanly", e);
      }
      scheduler = null;
    }
    service.close();
  }

  @Override
  public void close() {
    shutdown();
  }
}
