package org.pystore.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The benchmarks run end to end at a tiny scale, so they cannot rot. No timing is asserted. */
class BenchSmokeTest {
  @TempDir Path dir;

  @Test
  void benchmarksRunAtTinyScale() throws Exception {
    PrintStream old = System.out;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
      Bench.main(new String[] {"all", "--scale", "0.001", "--dir", dir.toString()});
    } finally {
      System.setOut(old);
    }
    String text = out.toString(StandardCharsets.UTF_8);
    assertThat(text)
        .contains("item of      10,000 rows: append")
        .contains("full read")
        .contains("one-day range")
        .contains("whole batches redelivered")
        .contains("every part repeats its neighbour's tail")
        .contains("import: ours")
        .contains("sink, schemaless JSON")
        .contains("source replay")
        .contains("S3/local: commits");
  }
}
