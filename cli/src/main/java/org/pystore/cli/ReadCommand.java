package org.pystore.cli;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;
import org.pystore.store.Item;
import org.pystore.store.Predicate;
import org.pystore.store.ReadOptions;
import org.pystore.store.RowReader;
import org.pystore.store.log.Json;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(
    name = "read",
    description =
        "Print an item's rows in index order, deduplicated: CSV (header, index first) or JSON lines.")
final class ReadCommand implements Callable<Integer> {
  /** Output formats. */
  enum Format {
    CSV,
    JSONL
  }

  @ParentCommand PyStoreCli top;
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", paramLabel = "COLLECTION/ITEM")
  String target;

  @CommandLine.Mixin TimeRange range;

  @Option(
      names = "--columns",
      paramLabel = "A,B",
      split = ",",
      description = "Columns besides the index (default: all).")
  List<String> columns = new ArrayList<>();

  @Option(
      names = "--where",
      paramLabel = "\"COL OP VALUE\"",
      description = "Row filter, OP one of = != < <= > >= (repeatable; all must hold).")
  List<String> where = new ArrayList<>();

  @ArgGroup(exclusive = true)
  Pin pin;

  static final class Pin {
    @Option(names = "--snapshot", paramLabel = "NAME", description = "Read as of a snapshot.")
    String snapshot;

    @Option(names = "--version", paramLabel = "N", description = "Read as of a version.")
    Long version;
  }

  @Option(names = "--limit", paramLabel = "N", description = "At most N rows.")
  Long limit;

  @Option(
      names = "--format",
      paramLabel = "csv|jsonl",
      description = "Output format (default: csv).")
  Format format = Format.CSV;

  @Override
  public Integer call() throws IOException {
    CommandLine cmd = spec.commandLine();
    ItemAddress address = ItemAddress.parse(cmd, target);
    java.time.Instant start = range.start(cmd);
    java.time.Instant end = range.end(cmd);
    List<Predicate> filters = new ArrayList<>();
    for (String w : where) {
      filters.add(Usage.option(cmd, "--where", () -> Predicate.parse(w)));
    }
    List<String> cols = new ArrayList<>();
    for (String c : columns) {
      if (!c.isBlank()) {
        cols.add(c.trim()); // "price, size" as typed
      }
    }
    if (pin != null && pin.version != null && pin.version < 0) {
      throw Usage.bad(cmd, "--version", "a version is 0 or more, not " + pin.version);
    }
    if (limit != null && limit < 0) {
      throw Usage.bad(cmd, "--limit", "give 0 or more rows, not " + limit);
    }
    Item item = address.open(top.openStore());
    ReadOptions opts =
        new ReadOptions(
            start,
            end,
            cols,
            filters,
            pin == null ? null : pin.version,
            pin == null ? null : pin.snapshot,
            limit == null ? -1 : limit);
    Writer out =
        new BufferedWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8), 1 << 16);
    try (RowReader rows = item.read(opts)) {
      String index = rows.indexColumn(); // as of the version or snapshot read
      List<Schema.Field> fields = new ArrayList<>();
      fields.add(rows.schema().getField(index));
      for (Schema.Field f : rows.schema().getFields()) {
        if (!f.name().equals(index)) {
          fields.add(f);
        }
      }
      if (format == Format.CSV) {
        writeCsv(rows, fields, out);
      } else {
        writeJsonLines(rows, fields, out);
      }
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
    out.flush();
    return 0;
  }

  private static void writeCsv(RowReader rows, List<Schema.Field> fields, Writer out)
      throws IOException {
    CSVPrinter csv =
        new CSVPrinter(out, CSVFormat.DEFAULT.builder().setRecordSeparator('\n').get());
    List<String> header = new ArrayList<>();
    for (Schema.Field f : fields) {
      header.add(f.name());
    }
    csv.printRecord(header);
    List<String> cells = new ArrayList<>(fields.size());
    while (rows.hasNext()) {
      GenericRecord r = rows.next();
      cells.clear();
      for (Schema.Field f : fields) {
        cells.add(Values.text(r.get(f.pos()), f.schema()));
      }
      csv.printRecord(cells);
    }
    csv.flush();
  }

  private static void writeJsonLines(RowReader rows, List<Schema.Field> fields, Writer out)
      throws IOException {
    while (rows.hasNext()) {
      GenericRecord r = rows.next();
      Map<String, Object> m = new LinkedHashMap<>();
      for (Schema.Field f : fields) {
        m.put(f.name(), Values.json(r.get(f.pos()), f.schema()));
      }
      out.write(new String(Json.bytes(m), StandardCharsets.UTF_8));
      out.write('\n');
    }
  }
}
