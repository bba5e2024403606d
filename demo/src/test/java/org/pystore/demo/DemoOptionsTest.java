package org.pystore.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The demo checks every option before it starts anything, and fails in one line. */
class DemoOptionsTest {
  @TempDir Path dir;

  record Run(int code, String err) {}

  Run run(String... args) {
    CommandLine cli = Demo.commandLine();
    StringWriter err = new StringWriter();
    cli.setErr(new PrintWriter(err, true));
    String[] all = new String[args.length + 2];
    all[0] = "--store";
    all[1] = dir.resolve("store").toString();
    System.arraycopy(args, 0, all, 2, args.length);
    return new Run(cli.execute(all), err.toString());
  }

  @Test
  void badValuesFailAtOnceWithOneLineAndNothingStarted() {
    String[][] cases = {
      {"--replay-speed", "-1"},
      {"--replay-speed", "NaN"},
      {"--symbols", "0"},
      {"--ticks", "5"},
      {"--bootstrap-servers", "nohost"},
      {"--bootstrap-servers", "a:1,b"}
    };
    for (String[] c : cases) {
      Run r = run(c);
      assertThat(r.code()).as(String.join(" ", c)).isEqualTo(2);
      assertThat(r.err().lines()).as(String.join(" ", c)).hasSize(2);
      assertThat(r.err()).as(String.join(" ", c)).startsWith("pystore demo: " + c[0]);
      assertThat(dir.resolve("store")).as(String.join(" ", c)).doesNotExist();
    }
  }

  @Test
  void anUnreachableClusterIsOneLineNotAStackTrace() {
    Run r = run("--bootstrap-servers", "127.0.0.1:1"); // nothing listens on port 1
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err().lines()).hasSize(1);
    assertThat(r.err()).contains("no Kafka broker answered at 127.0.0.1:1").doesNotContain("\tat ");
    assertThat(dir.resolve("store")).doesNotExist();
  }
}
