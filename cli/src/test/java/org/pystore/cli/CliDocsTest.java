package org.pystore.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** docs/cli.md, the reference, names every command and every option that --help shows. */
class CliDocsTest {
  @Test
  void everyCommandAndOptionOfTheHelpIsInTheReference() throws Exception {
    String doc =
        Files.readString(Path.of("..", "docs", "cli.md").toAbsolutePath(), StandardCharsets.UTF_8);
    List<String> missing = new ArrayList<>();
    CommandLine cli = PyStoreCli.commandLine();
    for (var e : cli.getSubcommands().entrySet()) {
      String name = e.getKey();
      if (name.equals("help")) {
        continue;
      }
      if (!doc.contains("| `" + name)) {
        missing.add("command " + name);
      }
      for (CommandLine.Model.OptionSpec o : e.getValue().getCommandSpec().options()) {
        if (o.usageHelp() || o.versionHelp() || o.inherited()) {
          continue;
        }
        if (!doc.contains(o.longestName())) {
          missing.add(name + " " + o.longestName());
        }
      }
    }
    assertThat(missing).as("in --help but not in docs/cli.md").isEmpty();
  }
}
