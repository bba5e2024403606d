package org.pystore.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's example of the command, run as written, top to bottom, by bash through the real
 * {@code ./pystore} script and jar; {@code ./pystore} in the working directory is a symlink to the
 * checkout's script, as a user's {@code ~/bin/pystore} would be.
 */
class ReadmeExamplesIT {
  private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

  @TempDir Path dir;

  /** The first {@code sh} block under a README heading. */
  static List<String> block(String heading) throws Exception {
    List<String> lines = Files.readAllLines(ROOT.resolve("README.md"), StandardCharsets.UTF_8);
    List<String> out = new ArrayList<>();
    boolean under = false;
    boolean in = false;
    for (String l : lines) {
      if (l.startsWith("## ")) {
        under = l.equals(heading);
      } else if (under && !in && l.equals("```sh")) {
        in = true;
      } else if (in && l.equals("```")) {
        return out;
      } else if (in) {
        out.add(l);
      }
    }
    throw new AssertionError("no sh block under '" + heading + "' in README.md");
  }

  @Test
  void theCommandExampleRunsAsWrittenInOrder() throws Exception {
    List<String> example = block("## The `pystore` command");
    assertThat(example).anyMatch(l -> l.startsWith("./pystore read"));
    Files.createSymbolicLink(dir.resolve("pystore"), ROOT.resolve("pystore"));
    Path script = dir.resolve("example.sh");
    Files.writeString(script, "set -e\n" + String.join("\n", example) + "\n");
    Path out = dir.resolve("out.txt");
    ProcessBuilder pb =
        new ProcessBuilder("bash", "-x", script.toString())
            .directory(dir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(out.toFile());
    pb.environment().remove("PYSTORE_STORE");
    Process p = pb.start();
    assertThat(p.waitFor(10, TimeUnit.MINUTES)).isTrue();
    String text = Files.readString(out);
    assertThat(p.exitValue()).as(text).isZero();
    // the read's --to 2024-01-02T16:00 takes the whole minute; size > 100 drops the 50
    assertThat(text).contains("ts,price\n2024-01-02T14:30:00Z,185.5\n2024-01-02T15:59:30Z,185.9\n");
    assertThat(text).contains("created snapshot eod-2024-01-02 of ticks");
    assertThat(dir.resolve("my-store/ticks/AAPL/_log")).isDirectory();
    // the shaded jar draws charts (fonts, headless AWT, JFreeChart all found)
    assertThat(text).contains("wrote aapl.png (1200x500): ticks/AAPL, 3 rows");
    assertThat(javax.imageio.ImageIO.read(dir.resolve("aapl.png").toFile()).getWidth())
        .isEqualTo(1200);
    assertThat(text).contains("  20240102  ");
  }
}
