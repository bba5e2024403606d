package org.pystore.cli;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.pystore.compactor.CompactionOptions;
import org.pystore.compactor.Durations;
import org.pystore.store.Item;
import org.pystore.store.Verifier;
import org.pystore.store.log.Json;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(
    name = "verify",
    description = {
      "Check the store against its commit logs, reading everything: log chains without holes,"
          + " every live part present with its recorded size and checksum, readable, sorted and"
          + " inside its bucket and recorded range; snapshots resolvable; sink checkpoints"
          + " readable; files no commit explains. Changes nothing.",
      "Exit 0 when clean, 1 when problems were found (each printed with what to do)."
    })
final class VerifyCommand implements Callable<Integer> {
  @ParentCommand PyStoreCli top;
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", arity = "0..1", paramLabel = "COLLECTION[/ITEM]")
  String target;

  @Option(names = "--json", description = "Print one JSON object instead of lines.")
  boolean json;

  @Option(
      names = "--orphan-grace",
      paramLabel = "DURATION",
      description =
          "List parts written but never committed once this old (default: ${DEFAULT-VALUE}).")
  String grace = Durations.format(CompactionOptions.DEFAULT_ORPHAN_GRACE);

  @Override
  public Integer call() {
    Scope scope = Scope.parse(spec.commandLine(), target);
    Duration orphanGrace;
    try {
      orphanGrace = Durations.parse(grace);
      Item.requireOrphanGrace(orphanGrace);
    } catch (IllegalArgumentException e) {
      throw new picocli.CommandLine.ParameterException(spec.commandLine(), e.getMessage());
    }
    Verifier v = new Verifier(top.openStore(), orphanGrace);
    Verifier.Report r =
        v.verify(
            scope.collection(),
            scope.item(),
            line -> {
              if (!json) {
                System.err.println(line);
              }
            });
    if (json) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("scope", scope.toString());
      m.put("clean", r.clean());
      m.put("items", r.items());
      m.put("parts", r.parts());
      m.put("rows", r.rows());
      List<Map<String, Object>> problems = new ArrayList<>();
      for (Verifier.Problem p : r.problems()) {
        Map<String, Object> pm = new LinkedHashMap<>();
        pm.put("where", p.where());
        pm.put("kind", p.kind());
        pm.put("detail", p.detail());
        pm.put("action", p.action());
        problems.add(pm);
      }
      m.put("problems", problems);
      System.out.println(new String(Json.prettyBytes(m), StandardCharsets.UTF_8));
    } else {
      for (Verifier.Problem p : r.problems()) {
        System.out.printf(
            Locale.ROOT, "PROBLEM %s [%s]: %s; %s%n", p.where(), p.kind(), p.detail(), p.action());
      }
      System.out.printf(
          Locale.ROOT,
          "verify of %s: %d items, %d parts, %d rows read, %s%n",
          scope,
          r.items(),
          r.parts(),
          r.rows(),
          r.clean() ? "no problem found" : r.problems().size() + " problem(s) found");
    }
    return r.clean() ? 0 : 1;
  }
}
