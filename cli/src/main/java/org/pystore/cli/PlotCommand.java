package org.pystore.cli;

import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.pystore.store.IndexUnit;
import org.pystore.store.Item;
import org.pystore.store.ItemInfo;
import org.pystore.store.ReadOptions;
import org.pystore.store.RowReader;
import org.pystore.store.Schemas;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(
    name = "plot",
    description =
        "Draw an item's numeric columns over time into a PNG or SVG file: one panel per column,"
            + " downsampled to the chart's width (each pixel keeps its lowest and highest value),"
            + " gaps in the series left as breaks.")
final class PlotCommand implements Callable<Integer> {
  /** Panels drawn when the user names no columns. */
  static final int DEFAULT_PANELS = 4;

  @ParentCommand PyStoreCli top;
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", paramLabel = "COLLECTION/ITEM")
  String target;

  @Option(
      names = "--columns",
      paramLabel = "A,B",
      split = ",",
      description =
          "Numeric columns to draw (default: the first " + DEFAULT_PANELS + " numeric columns).")
  List<String> columns = new ArrayList<>();

  @CommandLine.Mixin TimeRange range;

  @ArgGroup(exclusive = true)
  ReadCommand.Pin pin;

  @Option(
      names = {"-o", "--output"},
      paramLabel = "FILE",
      description = "Image to write, .png or .svg (default: ITEM.png in the current directory).")
  Path output;

  @Option(
      names = "--width",
      paramLabel = "PIXELS",
      description = "Image width (default: ${DEFAULT-VALUE}).")
  int width = 1200;

  @Option(
      names = "--height",
      paramLabel = "PIXELS",
      description = "Image height (default: 200 per panel plus 100).")
  Integer height;

  @Override
  public Integer call() throws Exception {
    CommandLine cmd = spec.commandLine();
    ItemAddress address = ItemAddress.parse(cmd, target);
    Instant start = range.start(cmd);
    Instant end = range.end(cmd);
    if (pin != null && pin.version != null && pin.version < 0) {
      throw Usage.bad(cmd, "--version", "a version is 0 or more, not " + pin.version);
    }
    if (width < 200 || width > 10_000) {
      throw Usage.bad(cmd, "--width", "give 200 to 10000 pixels, not " + width);
    }
    if (height != null && (height < 150 || height > 10_000)) {
      throw Usage.bad(cmd, "--height", "give 150 to 10000 pixels, not " + height);
    }
    Path file =
        output != null ? output : Path.of(address.item().replaceAll("[^\\w.-]", "_") + ".png");
    String ext = file.getFileName().toString().toLowerCase(Locale.ROOT);
    if (!ext.endsWith(".png") && !ext.endsWith(".svg")) {
      throw Usage.bad(cmd, "--output", "name a .png or .svg file, not " + file);
    }
    Path dir = file.toAbsolutePath().getParent();
    if (!Files.isDirectory(dir)) {
      throw Usage.bad(cmd, "--output", "directory " + dir + " does not exist");
    }
    List<String> wanted = new ArrayList<>();
    for (String c : columns) {
      if (!c.isBlank()) {
        wanted.add(c.trim());
      }
    }

    Item item = address.open(top.openStore());
    ItemInfo info = item.info();
    if (pin == null) {
      checkColumns(
          cmd,
          address,
          new Schema.Parser().parse(info.schema()),
          info.options().indexColumn(),
          wanted);
    }
    ReadOptions opts =
        new ReadOptions(
            start,
            end,
            wanted,
            List.of(),
            pin == null ? null : pin.version,
            pin == null ? null : pin.snapshot,
            -1);
    System.setProperty("java.awt.headless", "true"); // before the first AWT class loads
    List<String> names = new ArrayList<>();
    SeriesSampler sampler;
    try (RowReader rows = item.read(opts);
        Progress progress = Progress.onTerminal(top.quiet)) {
      Schema schema = rows.schema();
      String index = rows.indexColumn();
      IndexUnit unit = IndexUnit.of(Schemas.nonNull(schema.getField(index).schema()));
      List<Schema.Field> fields = new ArrayList<>();
      if (wanted.isEmpty()) {
        List<String> numeric = numericColumns(schema, index);
        if (numeric.isEmpty()) {
          throw new UserException(
              address + " has no numeric column to plot; its columns are " + Schemas.names(schema));
        }
        wanted.addAll(numeric.subList(0, Math.min(DEFAULT_PANELS, numeric.size())));
        if (numeric.size() > DEFAULT_PANELS) {
          System.err.println(
              "plotting "
                  + wanted
                  + " of the "
                  + numeric.size()
                  + " numeric columns; pick others with --columns");
        }
      }
      checkColumns(cmd, address, schema, index, wanted); // as of the version or snapshot read
      for (String name : wanted) {
        fields.add(schema.getField(name));
        names.add(name);
      }
      sampler = new SeriesSampler(fields.size(), Math.max(2, width / 2));
      double[] values = new double[fields.size()];
      long n = 0;
      while (rows.hasNext()) {
        GenericRecord r = rows.next();
        for (int c = 0; c < values.length; c++) {
          values[c] = number(r.get(fields.get(c).pos()), fields.get(c).schema());
        }
        sampler.add(unit.toNanos((Long) r.get(index)), values);
        if (++n % 65_536 == 0) {
          progress.update("reading " + address, n, info.rows());
        }
      }
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
    if (sampler.rows() == 0) {
      throw new UserException(
          address
              + " has no rows"
              + (start != null || end != null ? " in the range asked" : "")
              + " to plot (it holds "
              + info.rows()
              + " rows"
              + (info.first() == null ? "" : " from " + info.first() + " to " + info.last())
              + ")");
    }
    List<SeriesSampler.Points> points = new ArrayList<>();
    for (int c = 0; c < names.size(); c++) {
      points.add(sampler.points(c));
    }
    Instant first = Instant.ofEpochSecond(0, sampler.first());
    Instant last = Instant.ofEpochSecond(0, sampler.last());
    String subtitle =
        String.format(
            Locale.ROOT,
            "%,d rows from %s to %s%s",
            sampler.rows(),
            first,
            last,
            sampler.downsampled() ? ", downsampled to the lowest and highest value per pixel" : "");
    double axisFrom = start == null ? Double.NaN : start.toEpochMilli();
    double axisTo = end == null ? Double.NaN : end.toEpochMilli();
    int h = height != null ? height : 100 + 200 * names.size();
    Charts.write(
        Charts.series(address.toString(), subtitle, names, points, axisFrom, axisTo),
        file,
        width,
        h);
    StringBuilder ranges = new StringBuilder();
    for (int c = 0; c < names.size(); c++) {
      ranges.append(ranges.length() == 0 ? "" : ", ");
      ranges.append(names.get(c)).append(' ');
      ranges.append(
          Double.isNaN(sampler.lowest(c))
              ? "all null"
              : shortest(sampler.lowest(c)) + ".." + shortest(sampler.highest(c)));
    }
    System.out.println(
        String.format(
            Locale.ROOT,
            "wrote %s (%dx%d): %s, %,d rows from %s to %s; %s",
            file,
            width,
            h,
            address,
            sampler.rows(),
            first,
            last,
            ranges));
    return 0;
  }

  /** Refuses columns the schema lacks or that hold no numbers, naming those that would do. */
  private static void checkColumns(
      CommandLine cmd, ItemAddress address, Schema schema, String index, List<String> wanted) {
    for (String name : wanted) {
      Schema.Field f = schema.getField(name);
      if (f == null || name.equals(index)) {
        throw Usage.bad(
            cmd,
            "--columns",
            address
                + " has no value column '"
                + name
                + "'; numeric columns: "
                + numericColumns(schema, index));
      }
      if (!plottable(f.schema())) {
        throw Usage.bad(
            cmd,
            "--columns",
            "'"
                + name
                + "' is "
                + Schemas.describe(f.schema())
                + ", not a number; numeric columns: "
                + numericColumns(schema, index));
      }
    }
  }

  private static List<String> numericColumns(Schema schema, String index) {
    List<String> out = new ArrayList<>();
    for (Schema.Field f : schema.getFields()) {
      if (!f.name().equals(index) && plottable(f.schema())) {
        out.add(f.name());
      }
    }
    return out;
  }

  private static String shortest(double v) {
    return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
  }

  /** Whether a column holds numbers a chart can draw: ints, longs, floats, doubles, decimals. */
  static boolean plottable(Schema type) {
    Schema t = Schemas.nonNull(type);
    if (t.getLogicalType() instanceof LogicalTypes.Decimal) {
      return true;
    }
    if (t.getLogicalType() != null) {
      return false; // timestamps, dates, times: not values to draw against time
    }
    switch (t.getType()) {
      case INT:
      case LONG:
      case FLOAT:
      case DOUBLE:
        return true;
      default:
        return false;
    }
  }

  private static double number(Object v, Schema type) {
    if (v == null) {
      return Double.NaN;
    }
    if (v instanceof Number n) {
      return n.doubleValue();
    }
    return Values.decimal(v, Schemas.nonNull(type)).doubleValue();
  }
}
