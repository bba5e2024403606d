package org.pystore.cli;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.pystore.store.Bucketing;
import org.pystore.store.Codec;
import org.pystore.store.CommitResult;
import org.pystore.store.DedupePolicy;
import org.pystore.store.IndexUnit;
import org.pystore.store.Item;
import org.pystore.store.ItemOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(
    name = "write",
    description = "Create an item from a CSV file (or replace it with --overwrite), in one commit.")
final class WriteCommand implements Callable<Integer> {
  @ParentCommand PyStoreCli top;
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", paramLabel = "COLLECTION/ITEM")
  String target;

  @Mixin CsvSource source;

  @Option(names = "--overwrite", description = "Replace the item if it exists.")
  boolean overwrite;

  @Option(
      names = "--metadata",
      paramLabel = "KEY=VALUE",
      description = "User metadata, stored as strings (repeatable).")
  Map<String, String> metadata = new LinkedHashMap<>();

  @Option(
      names = "--dedupe",
      paramLabel = "exact|last|first|none",
      description = "Dedupe policy (default: exact).")
  DedupePolicy dedupe = DedupePolicy.EXACT;

  @Option(
      names = "--key",
      paramLabel = "COL",
      split = ",",
      description = "Key columns besides the index, for sorting and last/first dedupe.")
  List<String> keys = List.of();

  @Option(
      names = "--bucket",
      paramLabel = "day|hour|month|none",
      description = "Time bucket of parts (default: day).")
  Bucketing bucket = Bucketing.DAY;

  @Option(
      names = "--timezone",
      paramLabel = "ZONE",
      description = "Zone whose calendar cuts buckets (default: UTC).")
  String timezone = "UTC";

  @Option(
      names = "--codec",
      paramLabel = "snappy|zstd|gzip|uncompressed",
      description = "Part compression (default: snappy).")
  Codec codec = Codec.SNAPPY;

  @Override
  public Integer call() {
    ItemAddress address = ItemAddress.parse(spec.commandLine(), target);
    ItemOptions options = new ItemOptions(source.index, keys, dedupe, bucket, timezone, codec);
    CsvInput.Loaded in =
        CsvInput.load(
            source.csv, source.index, source.indexUnit(), source.schema(), null, IndexUnit.NANOS);
    Item item = address.open(top.openStore());
    Map<String, Object> meta = new LinkedHashMap<>(metadata);
    CommitResult r =
        item.write(
            in.schema(), in.rows(), options.withIndexColumn(in.indexColumn()), meta, overwrite);
    System.out.printf(
        "wrote %d rows to %s as version %d in %d parts%n",
        r.rows(), address, r.version(), r.parts());
    return 0;
  }
}
