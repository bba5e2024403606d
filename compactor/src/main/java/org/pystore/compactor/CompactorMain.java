package org.pystore.compactor;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code java -jar pystore-compactor.jar --config FILE [--once]}: the compactor worker. Without
 * {@code --once} it runs until stopped (SIGTERM or Ctrl-C stop it gracefully); with it, one pass
 * over every schedule, then exit (for cron or Kubernetes jobs).
 */
@Command(
    name = "pystore-compactor",
    mixinStandardHelpOptions = true,
    version = "pystore-compactor 0.1.0",
    description = "Compacts and vacuums a PyStore store on cron schedules.",
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:success",
      "1:a --once pass failed for some item (see the log)",
      "2:bad command line or configuration"
    })
public final class CompactorMain implements Callable<Integer> {
  @Option(
      names = "--config",
      required = true,
      paramLabel = "FILE",
      description = "Properties file: store.path, schedule.cron, ... (see docs/compaction.md)")
  Path config;

  @Option(names = "--once", description = "Run one pass over every schedule, then exit.")
  boolean once;

  public static void main(String[] args) {
    if (System.getProperty("logback.configurationFile") == null) {
      System.setProperty("logback.configurationFile", "pystore-compactor-logback.xml");
    }
    System.exit(run(args));
  }

  /** Runs the command line; returns the exit code. */
  static int run(String... args) {
    return new CommandLine(new CompactorMain())
        .setExecutionExceptionHandler(
            (e, cmd, parsed) -> {
              cmd.getErr().println("pystore-compactor: " + e.getMessage());
              return e instanceof IllegalArgumentException ? 2 : 1;
            })
        .execute(args);
  }

  @Override
  public Integer call() throws InterruptedException {
    CompactorConfig cfg = CompactorConfig.load(config);
    CompactorWorker worker = new CompactorWorker(cfg);
    if (once) {
      try {
        List<PassSummary> passes = worker.runOnce();
        return passes.stream().allMatch(p -> p.failures().isEmpty()) ? 0 : 1;
      } finally {
        worker.shutdown();
      }
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  worker.shutdown();
                  stopped.countDown();
                },
                "pystore-compactor-shutdown"));
    worker.start();
    stopped.await();
    return 0;
  }
}
