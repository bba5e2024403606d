package org.pystore.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pystore.store.log.Json;

/** The pystore command as scripts use it: outputs, exit codes, and nothing changed on failure. */
class CliTest {
  @TempDir Path dir;

  record Run(int code, String out, String err) {}

  Run run(String... args) {
    List<String> all = new ArrayList<>(List.of("--store", dir.resolve("store").toString()));
    all.addAll(List.of(args));
    return execute(all);
  }

  /** Runs without --store (and so with $PYSTORE_STORE, unset in the build). */
  Run runWithoutStore(String... args) {
    return execute(List.of(args));
  }

  private static Run execute(List<String> all) {
    PrintStream oldOut = System.out;
    PrintStream oldErr = System.err;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    try {
      System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
      System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
      int code = PyStoreCli.commandLine().execute(all.toArray(String[]::new));
      return new Run(
          code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(oldOut);
      System.setErr(oldErr);
    }
  }

  Path csv(String name, String content) throws Exception {
    return Files.writeString(dir.resolve(name), content);
  }

  static final String TICKS =
      "ts,sym,price,size,note\n"
          + "2024-01-02T09:30:00.000000001Z,AAPL,185.5,100,\"a, quoted\"\"note\"\"\"\n"
          + "2024-01-02T09:30:00.5+01:00,AAPL,0.1,200,\n"
          + "2024-01-03 10:00,AAPL,1e-7,-5,x\n";

  @Test
  void writeThenReadRoundTripsEveryValue() throws Exception {
    Path in = csv("t.csv", TICKS);
    Run w = run("write", "ticks/AAPL", "--csv", in.toString(), "--metadata", "source=test");
    assertThat(w.code()).as(w.err()).isZero();
    Run r = run("read", "ticks/AAPL");
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out())
        .isEqualTo(
            "ts,sym,price,size,note\n"
                + "2024-01-02T08:30:00.500Z,AAPL,0.1,200,\n"
                + "2024-01-02T09:30:00.000000001Z,AAPL,185.5,100,\"a, quoted\"\"note\"\"\"\n"
                + "2024-01-03T10:00:00Z,AAPL,1.0E-7,-5,x\n");
    // the output reads back in as the same rows
    Path again = csv("again.csv", r.out());
    assertThat(run("write", "ticks/COPY", "--csv", again.toString()).code()).isZero();
    assertThat(run("read", "ticks/COPY").out()).isEqualTo(r.out());
  }

  @Test
  void readOptionsAndJsonLines() throws Exception {
    run("write", "ticks/AAPL", "--csv", csv("t.csv", TICKS).toString());
    Run r =
        run(
            "read",
            "ticks/AAPL",
            "--from",
            "2024-01-02T09:00:00Z",
            "--to",
            "2024-01-03T10:00:00Z",
            "--columns",
            "price",
            "--format",
            "jsonl");
    assertThat(r.out().lines())
        .containsExactly(
            "{\"ts\":\"2024-01-02T09:30:00.000000001Z\",\"price\":185.5}",
            "{\"ts\":\"2024-01-03T10:00:00Z\",\"price\":1.0E-7}");
    assertThat(run("read", "ticks/AAPL", "--where", "size >= 100", "--limit", "1").out().lines())
        .hasSize(2);
  }

  @Test
  void appendEpochIndexAndMetadataCommands() throws Exception {
    run(
        "write",
        "fx/EURUSD",
        "--csv",
        csv("a.csv", "t,bid\n1704067200000,1.1\n").toString(),
        "--index-unit",
        "ms",
        "--dedupe",
        "LAST");
    Run a =
        run(
            "append",
            "fx/EURUSD",
            "--csv",
            csv("b.csv", "t,bid,ask\n1704067201000,1.2,1.3\n1704067200000,1.15,\n").toString(),
            "--index-unit",
            "ms");
    assertThat(a.code()).as(a.err()).isZero();
    assertThat(run("read", "fx/EURUSD").out())
        .isEqualTo("t,bid,ask\n2024-01-01T00:00:00Z,1.15,\n2024-01-01T00:00:01Z,1.2,1.3\n");
    Run m = run("metadata", "fx/EURUSD", "--set", "owner=desk", "--set", "tier=1");
    assertThat(Json.MAPPER.readTree(m.out()).get("tier").asText()).isEqualTo("1");
    assertThat(run("items", "fx", "--where", "owner=desk").out()).isEqualTo("EURUSD\n");
    assertThat(run("items", "fx", "--where", "owner=other").out()).isEmpty();
    Run h = run("history", "fx/EURUSD");
    assertThat(h.out().lines()).hasSize(3);
    assertThat(h.out().lines().toList().get(1)).startsWith("1 append ").contains("rows_added=2");
    JsonNode info = Json.MAPPER.readTree(run("info", "fx/EURUSD", "--json").out());
    assertThat(info.get("rows").asLong()).isEqualTo(3);
    assertThat(info.get("options").get("dedupe").asText()).isEqualTo("LAST");
    assertThat(run("info", "fx/EURUSD").out()).contains("dedupe:    last");
    assertThat(run("collections").out()).isEqualTo("fx\n");
  }

  @Test
  void snapshotsVersionsAndDelete() throws Exception {
    run("write", "c/i", "--csv", csv("a.csv", "ts,v\n2024-01-01T00:00:00Z,1\n").toString());
    assertThat(run("snapshot", "create", "c", "s1").code()).isZero();
    run("append", "c/i", "--csv", csv("b.csv", "ts,v\n2024-01-01T00:00:01Z,2\n").toString());
    assertThat(run("read", "c/i", "--snapshot", "s1").out().lines()).hasSize(2);
    assertThat(run("read", "c/i", "--version", "1").out().lines()).hasSize(3);
    assertThat(run("snapshot", "list", "c").out()).startsWith("s1 ");
    assertThat(run("snapshot", "delete", "c", "s1").code()).isZero();
    assertThat(run("snapshot", "list", "c").out()).isEmpty();
    assertThat(run("write", "c/j", "--csv", csv("j.csv", TICKS).toString()).code()).isZero();
    assertThat(run("delete", "c/i").code()).isZero();
    assertThat(run("items", "c").out()).isEqualTo("j\n");
    Run unforced = run("delete", "c"); // a whole collection, snapshots too: only with --force
    assertThat(unforced.code()).isEqualTo(2);
    assertThat(unforced.err()).contains("add --force");
    assertThat(run("collections").out()).isEqualTo("c\n");
    assertThat(run("delete", "c", "--force").code()).isZero();
    assertThat(run("collections").out()).isEmpty();
  }

  @Test
  void userErrorsExitOneWithOneLineAndChangeNothing() throws Exception {
    run("write", "c/i", "--csv", csv("a.csv", "ts,v\n2024-01-01T00:00:00Z,1.5\n").toString());
    String before = run("read", "c/i").out();
    Run[] failures = {
      run("read", "c/missing"),
      run(
          "append",
          "c/missing",
          "--csv",
          csv("x.csv", "ts,v\n2024-01-01T00:00:00Z,1\n").toString()),
      run("append", "c/i", "--csv", csv("bad.csv", "ts,v\n2024-01-01T00:00:05Z,abc\n").toString()),
      run(
          "append",
          "c/i",
          "--csv",
          csv("quote.csv", "ts,v\n2024-01-01T00:00:05Z,\"open\n").toString()),
      run(
          "append",
          "c/i",
          "--csv",
          csv("cells.csv", "ts,v\n2024-01-01T00:00:05Z,1,2\n").toString()),
      run("append", "c/i", "--csv", csv("time.csv", "ts,v\nyesterday,1\n").toString()),
      run("append", "c/i", "--csv", dir.resolve("nope.csv").toString()),
      run("write", "c/i", "--csv", csv("y.csv", "ts,v\n2024-01-01T00:00:00Z,1\n").toString()),
      run("write", "c/_log", "--csv", csv("z.csv", "ts,v\n2024-01-01T00:00:00Z,1\n").toString()),
      run("read", "../x/i"),
      run("read", "c/CON"),
      run("items", "nosuch"),
      run("read", "c/i", "--where", "nosuch > 1"),
      run("read", "c/i", "--version", "7"),
    };
    for (Run f : failures) {
      assertThat(f.code()).as(f.err()).isEqualTo(1);
      assertThat(f.err().strip().lines()).as(f.err()).hasSize(1);
      assertThat(f.err()).startsWith("pystore: ");
    }
    assertThat(run("read", "c/i").out()).isEqualTo(before);
    assertThat(run("history", "c/i").out().lines()).hasSize(1);
    assertThat(Files.exists(dir.resolve("store/c/_log"))).isFalse();
  }

  @Test
  void badUsageExitsTwo() throws Exception {
    assertThat(run("write", "c/i").code()).isEqualTo(2);
    assertThat(run("read", "c").code()).isEqualTo(2);
    assertThat(run("read", "c/i", "--version", "1", "--snapshot", "s").code()).isEqualTo(2);
    assertThat(run("write", "c/i", "--csv", "x.csv", "--dedupe", "sometimes").code()).isEqualTo(2);
    assertThat(run("write", "c/i", "--csv", "x.csv", "--index-unit", "days").code()).isEqualTo(2);
    assertThat(run("frobnicate").code()).isEqualTo(2);
    assertThat(run("snapshot", "create", "c").code()).isEqualTo(2);
  }

  @Test
  void storeComesFromTheEnvironmentToo() throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    ProcessBuilder pb =
        new ProcessBuilder(
            java,
            "-cp",
            System.getProperty("java.class.path"),
            PyStoreCli.class.getName(),
            "collections");
    pb.environment().remove(PyStoreCli.STORE_ENV);
    pb.redirectErrorStream(true);
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).isEqualTo(2);
    assertThat(out).contains("PYSTORE_STORE");

    run("write", "envc/i", "--csv", csv("a.csv", "ts,v\n2024-01-01T00:00:00Z,1\n").toString());
    pb.environment().put(PyStoreCli.STORE_ENV, dir.resolve("store").toString());
    p = pb.start();
    out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).isZero();
    assertThat(out).isEqualTo("envc\n");
  }
}
