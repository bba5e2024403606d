package org.pystore.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The live progress line: redrawn in place, at most four times a second, cleared at the end. */
class ProgressTest {
  @Test
  void redrawsInPlaceThrottledAndClearsItself() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
    AtomicLong now = new AtomicLong();
    try (Progress p = new Progress(out, true, now::get)) {
      p.update("reading a.csv", 1_000, 4_000);
      now.addAndGet(100_000_000L); // 0.1 s later: not redrawn
      p.update("reading a.csv", 2_000, 4_000);
      now.addAndGet(200_000_000L);
      p.update("reading a.csv", 3_000, 4_000);
      p.update("reading a.csv", 4_000, 4_000); // the last one always shows
    }
    String s = bytes.toString(StandardCharsets.UTF_8);
    assertThat(s)
        .startsWith("\rreading a.csv: 1,000 of 4,000 (25%)")
        .doesNotContain("2,000")
        .contains("\rreading a.csv: 3,000 of 4,000 (75%)")
        .contains("\rreading a.csv: 4,000 of 4,000 (100%)")
        .endsWith("\r" + " ".repeat("reading a.csv: 4,000 of 4,000 (100%)".length()) + "\r")
        .doesNotContain("\n");
  }

  @Test
  void offTheTerminalOrQuietItPrintsNothing() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (Progress p =
        new Progress(new PrintStream(bytes, true, StandardCharsets.UTF_8), false, () -> 0)) {
      p.update("reading a.csv", 1, 2);
    }
    assertThat(bytes.size()).isZero();
  }
}
