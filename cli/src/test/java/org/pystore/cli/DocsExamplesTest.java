package org.pystore.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every {@code ./pystore} line in a code block of docs/*.md runs as written, in order, against a
 * store holding what the docs talk about (README's example is run by ReadmeExamplesIT). A line that
 * cannot run here is listed below with the reason, so that a new example cannot slip by.
 */
class DocsExamplesTest {
  @TempDir Path dir;

  /** Example lines not run here, and why. */
  private static final Map<String, String> NOT_RUN =
      Map.of(
          "./pystore [--store DIR] <command> ...", "a synopsis, not a command",
          "./pystore --store s3://BUCKET/PREFIX ...", "a synopsis, not a command",
          "./pystore --store s3://market-data/pystore items ticks",
              "needs a bucket: S3CliTest runs items on S3Proxy",
          "./pystore compactor --config config/compactor.properties",
              "the compaction worker runs until stopped: CompactorMainTest runs it",
          "./pystore compactor --config config/compactor.properties --once",
              "the compactor's jar, not the command's: ClassDataSharingIT runs it by the script");

  /** The {@code ./pystore} lines of each doc's code blocks, comments cut off, in order. */
  static Map<String, List<String>> examples() throws Exception {
    Map<String, List<String>> out = new LinkedHashMap<>();
    try (var docs = Files.list(Path.of("..", "docs"))) {
      for (Path doc : docs.filter(p -> p.toString().endsWith(".md")).sorted().toList()) {
        boolean code = false;
        for (String line : Files.readAllLines(doc, StandardCharsets.UTF_8)) {
          if (line.startsWith("```")) {
            code = !code;
            continue;
          }
          if (code && line.startsWith("./pystore ")) {
            int comment = line.indexOf("  ");
            String cmd = (comment < 0 ? line : line.substring(0, comment)).trim();
            if (line.contains(" # ") && comment < 0) {
              cmd = line.substring(0, line.indexOf(" # ")).trim();
            }
            out.computeIfAbsent(doc.getFileName().toString(), k -> new ArrayList<>()).add(cmd);
          }
        }
      }
    }
    return out;
  }

  /** Splits a command line as sh would, for the quoting the docs use. */
  static List<String> words(String line) {
    List<String> out = new ArrayList<>();
    StringBuilder w = new StringBuilder();
    char quote = 0;
    boolean any = false;
    for (char c : line.toCharArray()) {
      if (quote != 0) {
        if (c == quote) {
          quote = 0;
        } else {
          w.append(c);
        }
      } else if (c == '"' || c == '\'') {
        quote = c;
        any = true;
      } else if (c == ' ') {
        if (any || w.length() > 0) {
          out.add(w.toString());
        }
        w.setLength(0);
        any = false;
      } else {
        w.append(c);
      }
    }
    if (any || w.length() > 0) {
      out.add(w.toString());
    }
    return out;
  }

  @Test
  void everyExampleInTheDocsRunsAsWritten() throws Exception {
    CliTest cli = new CliTest();
    cli.dir = dir;
    // the stores the docs name: $PYSTORE_STORE with ticks, ./demo-store, ~/pystore/mydata
    Path ticks = dir.resolve("store");
    Path demo = dir.resolve("demo-store");
    Path pystore = dir.resolve("mydata");
    StringBuilder csv = new StringBuilder("ts,sym,price,size\n");
    for (int i = 0; i < 100; i++) {
      csv.append("2024-01-02T14:30:")
          .append(String.format("%02d", i % 60))
          .append('.')
          .append(i)
          .append("Z,A,")
          .append(100 + i)
          .append(",1\n");
    }
    Path rows = Files.writeString(dir.resolve("rows.csv"), csv);
    for (String item : List.of("ticks/AAPL", "ticks/MSFT")) {
      assertThat(cli.run("write", item, "--csv", rows.toString()).code()).isZero();
      for (int k = 0; k < 4; k++) {
        assertThat(cli.run("append", item, "--csv", rows.toString()).code()).isZero();
      }
    }
    assertThat(
            cli.runWithoutStore(
                    "--store", demo.toString(), "write", "demo/SYM000", "--csv", rows.toString())
                .code())
        .isZero();
    // cli.md's apply example: its operations file as the docs show it, beside its CSV files
    String cliMd = Files.readString(Path.of("..", "docs", "cli.md"), StandardCharsets.UTF_8);
    int from = cliMd.indexOf("# close.jsonl\n");
    assertThat(from).as("cli.md shows close.jsonl").isPositive();
    Files.writeString(
        dir.resolve("close.jsonl"), cliMd.substring(from, cliMd.indexOf("```", from)));
    assertThat(cli.run("write", "ticks/OLD", "--csv", rows.toString()).code()).isZero();
    for (String f : List.of("aapl-close.csv", "msft-close.csv", "ibm.csv")) {
      Files.copy(rows, dir.resolve(f));
    }
    ImportCliTest.pyStoreItem(pystore.resolve("stocks/AAPL"));
    ImportCliTest.pyStoreItem(pystore.resolve("stocks/MSFT"));

    Map<String, List<String>> examples = examples();
    assertThat(examples).containsKeys("compaction.md", "migration.md", "quickstart.md");
    List<String> ran = new ArrayList<>();
    for (var doc : examples.entrySet()) {
      for (String line : doc.getValue()) {
        if (NOT_RUN.containsKey(line)) {
          continue;
        }
        List<String> args = new ArrayList<>();
        for (String w : words(line).subList(1, words(line).size())) {
          args.add(
              switch (w) {
                case "~/pystore/mydata" -> pystore.toString();
                case "demo-store" -> demo.toString();
                case "close.jsonl" -> dir.resolve("close.jsonl").toString();
                default -> w;
              });
        }
        if (!args.contains("--store")) {
          args.addAll(0, List.of("--store", ticks.toString())); // $PYSTORE_STORE
        }
        CliTest.Run r = cli.runWithoutStore(args.toArray(String[]::new));
        assertThat(r.code()).as(doc.getKey() + ": " + line + "\n" + r.err()).isZero();
        ran.add(line);
      }
    }
    assertThat(ran)
        .contains("./pystore compact ticks", "./pystore --store demo-store info demo/SYM000");
    // what the docs promise of those runs
    assertThat(cli.run("info", "ticks/AAPL").out()).contains("parts:     1 ");
    assertThat(pystore.resolve("stocks/AAPL/_log")).isDirectory();
    // every listed exception still exists in the docs (else the list is stale)
    List<String> all = examples.values().stream().flatMap(List::stream).toList();
    assertThat(all).containsAll(NOT_RUN.keySet());
  }

  @Test
  void wordsSplitAsShellDoes() {
    assertThat(words("./pystore read t/A --where \"size > 100\" --columns 'a, b'"))
        .containsExactly("./pystore", "read", "t/A", "--where", "size > 100", "--columns", "a, b");
  }
}
