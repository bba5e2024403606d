package org.pystore.cli;

import java.io.PrintStream;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * A live progress line on stderr for long work (reading millions of CSV rows, committing them):
 * redrawn at most four times a second, cleared when done. Shown only on a terminal and without
 * {@code --quiet}, so that scripts and pipes see nothing of it.
 */
final class Progress implements AutoCloseable {
  private static final long EVERY_NANOS = 250_000_000L;

  private final PrintStream out;
  private final boolean enabled;
  private final LongSupplier clock;
  private long last = Long.MIN_VALUE;
  private int width;

  Progress(PrintStream out, boolean enabled, LongSupplier clock) {
    this.out = out;
    this.enabled = enabled;
    this.clock = clock;
  }

  /** Progress on stderr when it is a terminal and the user did not ask for quiet. */
  static Progress onTerminal(boolean quiet) {
    return new Progress(System.err, !quiet && System.console() != null, System::nanoTime);
  }

  /** A progress line that never shows. */
  static Progress none() {
    return new Progress(System.err, false, System::nanoTime);
  }

  /**
   * Shows how far the work is, unless the line was drawn less than a quarter second ago.
   *
   * @param what the work ("reading aapl.csv")
   * @param done units done
   * @param total units in all, or -1 when not known
   */
  void update(String what, long done, long total) {
    if (!enabled) {
      return;
    }
    long now = clock.getAsLong();
    if (last != Long.MIN_VALUE && now - last < EVERY_NANOS && done != total) {
      return;
    }
    last = now;
    String line =
        total > 0
            ? String.format(
                Locale.ROOT, "%s: %,d of %,d (%d%%)", what, done, total, done * 100 / total)
            : String.format(Locale.ROOT, "%s: %,d", what, done);
    out.print("\r" + line + " ".repeat(Math.max(0, width - line.length())));
    out.flush();
    width = line.length();
  }

  /** Clears the line, so that what is printed next starts on a clean one. */
  @Override
  public void close() {
    if (enabled && width > 0) {
      out.print("\r" + " ".repeat(width) + "\r");
      out.flush();
      width = 0;
    }
  }
}
