package org.pystore.cli;

import java.time.Instant;
import org.pystore.store.Timestamps;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/** {@code --from T --to T}, inclusive, as {@code read} and {@code plot} take them (a mixin). */
final class TimeRange {
  @Option(
      names = "--from",
      paramLabel = "T",
      description = "First instant, inclusive (ISO-8601; no offset means UTC).")
  String from;

  @Option(
      names = "--to",
      paramLabel = "T",
      description =
          "Last instant, inclusive; a date (or a partial timestamp: 2024-01, 2024-01-03T10)"
              + " means the end of that period, as in pandas .loc.")
  String to;

  /** The first instant, or null for none; a bad value is a usage error. */
  Instant start(CommandLine cmd) {
    return from == null ? null : Usage.option(cmd, "--from", () -> Timestamps.parse(from));
  }

  /** The last instant, or null for none; {@code --to} before {@code --from} is a usage error. */
  Instant end(CommandLine cmd) {
    Instant end = to == null ? null : Usage.option(cmd, "--to", () -> Timestamps.parseEnd(to));
    Instant start = start(cmd);
    if (start != null && end != null && end.isBefore(start)) {
      throw Usage.bad(cmd, "--to", to + " is before --from " + from);
    }
    return end;
  }
}
