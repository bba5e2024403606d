package org.pystore.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/**
 * {@code pystore demo}: listed here so that help shows it. The {@code ./pystore} script runs the
 * demo's own jar for it (in-process Kafka and Connect); this command only says so when the CLI's
 * jar is run directly.
 */
@Command(
    name = "demo",
    description = {
      "Run the embedded demo: an in-process Kafka broker and Connect worker sink ticks into a"
          + " store, compact it and replay it (the ./pystore script runs"
          + " demo/target/pystore-demo.jar; './pystore demo --help' lists its options)."
    })
final class DemoCommand implements Callable<Integer> {
  @Override
  public Integer call() {
    System.err.println(
        "pystore: the demo runs from the ./pystore script (demo/target/pystore-demo.jar):"
            + " ./pystore demo [--help]");
    return 2;
  }
}
