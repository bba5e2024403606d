package org.pystore.cli;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.avro.Schema;
import org.pystore.store.IndexUnit;
import org.pystore.store.Item;
import org.pystore.store.ItemInfo;
import org.pystore.store.Schemas;
import org.pystore.store.log.ItemState;
import org.pystore.store.log.Json;
import org.pystore.store.migrate.PyStoreImport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(
    name = "info",
    description = "Show rows, parts, versions, time range, schema and metadata of an item.")
final class InfoCommand implements Callable<Integer> {
  @ParentCommand PyStoreCli top;
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", paramLabel = "COLLECTION/ITEM")
  String target;

  @Option(names = "--json", description = "Print one JSON object.")
  boolean json;

  @Option(
      names = "--chart",
      description =
          "Also show rows and parts per time bucket as bars (with --json: a \"buckets\" list).")
  boolean chart;

  @Option(
      names = "--chart-lines",
      paramLabel = "N",
      description =
          "Most bars in the chart; neighbouring buckets merge beyond (default: ${DEFAULT-VALUE}).")
  int chartLines = 40;

  /** The rules writes to the item are checked against: its collection's, marked, then its own. */
  private static List<String> rules(Item item, ItemState state) {
    List<String> out = new java.util.ArrayList<>();
    for (org.pystore.store.Rule r : item.store().collection(item.collectionName()).rules()) {
      out.add(r + " (collection)");
    }
    state.rules().forEach(r -> out.add(r.toString()));
    return out;
  }

  @Override
  public Integer call() throws Exception {
    ItemAddress address = ItemAddress.parse(spec.commandLine(), target);
    if (chartLines < 1) {
      throw Usage.bad(spec.commandLine(), "--chart-lines", "give 1 or more, not " + chartLines);
    }
    Item item = address.open(top.openStore());
    ItemState state = item.state();
    ItemInfo info = item.info(state); // one read of the log: the chart and the figures agree
    List<BucketChart.Row> buckets = chart ? BucketChart.buckets(state.parts().values()) : List.of();
    List<String> pending = PyStoreImport.pendingFiles(item);
    Schema schema = new Schema.Parser().parse(info.schema());
    if (json) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("collection", info.collection());
      m.put("item", info.item());
      m.put("version", info.version());
      m.put("versions", info.version() + 1);
      m.put("rows", info.rows());
      m.put("parts", info.parts());
      m.put("bytes", info.bytes());
      m.put("first", info.first() == null ? null : info.first().toString());
      m.put("last", info.last() == null ? null : info.last().toString());
      m.put("options", info.options());
      m.put("schema", Json.MAPPER.readTree(info.schema()));
      m.put("metadata", info.metadata());
      m.put("rules", rules(item, state));
      m.put("created", info.created().toString());
      m.put("updated", info.updated().toString());
      m.put("lastCompacted", info.lastCompacted() == null ? null : info.lastCompacted().toString());
      m.put("duplicatesRemoved", info.duplicatesRemoved());
      m.put("notInLog", pending);
      if (chart) {
        m.put("buckets", BucketChart.json(buckets));
      }
      System.out.println(new String(Json.prettyBytes(m), StandardCharsets.UTF_8));
      return 0;
    }
    String index = info.options().indexColumn();
    System.out.println("item:      " + info.collection() + "/" + info.item());
    System.out.println("version:   " + info.version() + " (" + (info.version() + 1) + " versions)");
    System.out.println(
        "rows:      " + info.rows() + " stored (reads drop duplicates by the dedupe policy)");
    System.out.println("parts:     " + info.parts() + " (" + info.bytes() + " bytes)");
    System.out.println(
        "range:     " + (info.first() == null ? "empty" : info.first() + " .. " + info.last()));
    System.out.println(
        "index:     "
            + index
            + " ("
            + IndexUnit.of(schema.getField(index).schema()).id()
            + ")"
            + (info.options().keyColumns().isEmpty()
                ? ""
                : " + keys " + String.join(",", info.options().keyColumns())));
    System.out.println("dedupe:    " + info.options().dedupe().id());
    System.out.println(
        "bucket:    " + info.options().bucket().id() + " in " + info.options().timezone());
    System.out.println("codec:     " + info.options().codec().id());
    StringBuilder cols = new StringBuilder();
    for (Schema.Field f : schema.getFields()) {
      if (cols.length() > 0) {
        cols.append(", ");
      }
      cols.append(f.name()).append(' ').append(Schemas.describe(f.schema()));
    }
    System.out.println("columns:   " + cols);
    System.out.println(
        "metadata:  " + new String(Json.bytes(info.metadata()), StandardCharsets.UTF_8));
    List<String> rules = rules(item, state);
    System.out.println("rules:     " + (rules.isEmpty() ? "none" : String.join(", ", rules)));
    System.out.println("created:   " + info.created());
    System.out.println("updated:   " + info.updated());
    System.out.println(
        "compacted: "
            + (info.lastCompacted() == null
                ? "never"
                : info.lastCompacted() + " (" + info.duplicatesRemoved() + " duplicates removed)"));
    if (chart) {
      printChart(info, buckets);
    }
    if (!pending.isEmpty()) {
      System.out.println(
          "WARNING:   "
              + pending.size()
              + " Parquet files in the item directory are not in its commit log (written by"
              + " PyStore behind the store's back?) and readers ignore them: "
              + pending
              + "; `pystore import "
              + target
              + "` adopts them");
    }
    return 0;
  }

  private void printChart(ItemInfo info, List<BucketChart.Row> buckets) {
    if (buckets.isEmpty()) {
      System.out.println("buckets:   none (the item holds no parts)");
      return;
    }
    List<BucketChart.Row> shown = BucketChart.fit(buckets, chartLines);
    System.out.println(
        "buckets:   "
            + buckets.size()
            + " "
            + info.options().bucket().id()
            + " buckets in "
            + info.options().timezone()
            + (shown.size() < buckets.size()
                ? ", shown as " + shown.size() + " runs of neighbouring buckets"
                : "")
            + ":");
    BucketChart.lines(shown, BucketChart.unicodeOut()).forEach(System.out::println);
    long crowded = buckets.stream().filter(b -> b.parts() > 1).count();
    if (crowded > 0) {
      System.out.println(
          "           "
              + crowded
              + " of them hold more than one part; `pystore compact "
              + target
              + "` merges them");
    }
  }
}
