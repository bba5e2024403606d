package org.pystore.cli;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.pystore.store.Item;
import org.pystore.store.log.Json;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(
    name = "metadata",
    description = "Print an item's metadata as JSON; --set changes keys first (one commit).")
final class MetadataCommand implements Callable<Integer> {
  @ParentCommand PyStoreCli top;
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", paramLabel = "COLLECTION/ITEM")
  String target;

  @Option(
      names = "--set",
      paramLabel = "KEY=VALUE",
      description = "Set a key to a string value (repeatable).")
  Map<String, String> set = new LinkedHashMap<>();

  @Override
  public Integer call() {
    ItemAddress address = ItemAddress.parse(spec.commandLine(), target);
    Item item = address.open(top.openStore());
    if (!set.isEmpty()) {
      item.updateMetadata(new LinkedHashMap<>(set));
    }
    Map<String, Object> m = item.metadata();
    System.out.println(new String(Json.prettyBytes(m), StandardCharsets.UTF_8));
    return 0;
  }
}
