package org.pystore.compactor;

import java.util.List;
import org.quartz.DisallowConcurrentExecution;
import org.quartz.Job;
import org.quartz.JobExecutionContext;
import org.quartz.JobExecutionException;
import org.quartz.SchedulerException;

/**
 * The Quartz job: one compaction pass over one schedule's collections. Thin by design: the work is
 * in {@link CompactorWorker#runPass}. Never runs twice at once for one schedule; a firing that
 * comes while the previous pass still runs waits for it.
 */
@DisallowConcurrentExecution
public final class CompactorJob implements Job {
  /** Scheduler-context key of the {@link CompactorWorker}. */
  static final String WORKER = "pystore.worker";

  /** Job-data key of the schedule's index in the worker's config. */
  static final String SCHEDULE = "pystore.schedule";

  @Override
  public void execute(JobExecutionContext context) throws JobExecutionException {
    CompactorWorker worker;
    try {
      worker = (CompactorWorker) context.getScheduler().getContext().get(WORKER);
    } catch (SchedulerException e) {
      throw new JobExecutionException(e);
    }
    int index = context.getMergedJobDataMap().getInt(SCHEDULE);
    List<CompactorConfig.Schedule> schedules = worker.config().schedules();
    try {
      worker.runPass(schedules.get(index));
    } catch (RuntimeException e) {
      // logged; the next firing tries again (a failing pass must not unschedule the job)
      throw new JobExecutionException(e, false);
    }
  }
}
