package org.pystore.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import org.apache.avro.Schema;
import org.pystore.store.Bucketing;
import org.pystore.store.Codec;
import org.pystore.store.DedupePolicy;
import org.pystore.store.IndexUnit;
import org.pystore.store.ItemOptions;
import org.pystore.store.Names;
import org.pystore.store.PyCollection;
import org.pystore.store.PyStoreException;
import org.pystore.store.Store;
import org.pystore.store.Transaction;
import org.pystore.store.TransactionResult;
import org.pystore.store.log.ItemState;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(
    name = "apply",
    description = {
      "Apply a file of operations to items of one collection as one transaction: all of them"
          + " take effect at once, or none does.",
      "One JSON object per line: {\"op\":\"write\",\"item\":\"AAPL\",\"csv\":\"a.csv\","
          + "\"overwrite\":true}, {\"op\":\"append\",\"item\":\"MSFT\",\"csv\":\"m.csv\"},"
          + " {\"op\":\"delete\",\"item\":\"OLD\"}. CSV paths are relative to the file; write"
          + " also takes index, index_unit, key, dedupe, bucket, timezone, codec and metadata,"
          + " as the write command does. Blank lines and lines starting with # are skipped."
    })
final class ApplyCommand implements Callable<Integer> {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Set<String> WRITE_FIELDS =
      Set.of(
          "op",
          "item",
          "csv",
          "overwrite",
          "index",
          "index_unit",
          "key",
          "dedupe",
          "bucket",
          "timezone",
          "codec",
          "metadata",
          "schema");
  private static final Set<String> APPEND_FIELDS =
      Set.of("op", "item", "csv", "index", "index_unit", "schema");
  private static final Set<String> DELETE_FIELDS = Set.of("op", "item");

  @ParentCommand PyStoreCli top;
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", paramLabel = "COLLECTION")
  String collection;

  @Parameters(index = "1", paramLabel = "FILE.jsonl")
  Path file;

  /** One line of the file. */
  private record Line(int number, JsonNode op) {
    String text(String field) {
      JsonNode n = op.get(field);
      return n == null || n.isNull() ? null : n.asText();
    }
  }

  @Override
  public Integer call() {
    try {
      Names.check("collection", collection);
    } catch (PyStoreException e) {
      throw new picocli.CommandLine.ParameterException(spec.commandLine(), e.getMessage());
    }
    List<Line> lines = parse();
    if (lines.isEmpty()) {
      System.out.printf("%s holds no operations; nothing was changed%n", file);
      return 0;
    }
    boolean creates = lines.stream().anyMatch(l -> "write".equals(l.text("op")));
    Store store = creates ? top.openOrCreateStore() : top.openStore();
    PyCollection c = store.collection(collection);
    Path base = file.toAbsolutePath().getParent();
    Map<String, Schema> written = new HashMap<>(); // items this file writes, by their new schema
    TransactionResult r;
    try (Progress progress = Progress.onTerminal(top.quiet);
        Transaction tx = c.transaction()) {
      for (Line l : lines) {
        progress.update(
            "staging line " + l.number() + " of " + file.getFileName(), l.number(), lines.size());
        try {
          stage(tx, c, l, base, written);
        } catch (PyStoreException | UserException e) {
          throw new UserException(
              "line "
                  + l.number()
                  + " of "
                  + file
                  + ": "
                  + e.getMessage()
                  + "; nothing was changed",
              e);
        }
      }
      progress.update("committing " + lines.size() + " operations to " + collection, -1, -1);
      r = tx.commit();
    }
    System.out.printf(
        "applied %d operations to %s as transaction %s: %d rows in %d parts%n",
        lines.size(), collection, r.id(), r.rows(), r.parts());
    r.versions()
        .forEach((item, v) -> System.out.printf("  %s/%s version %d%n", collection, item, v));
    return 0;
  }

  private List<Line> parse() {
    List<String> raw;
    try {
      raw = Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw new UserException("operations file " + file + " does not exist");
    } catch (IOException e) {
      throw new UserException("cannot read " + file + ": " + e.getMessage(), e);
    }
    List<Line> out = new ArrayList<>();
    for (int i = 0; i < raw.size(); i++) {
      String text = raw.get(i).strip();
      if (text.isEmpty() || text.startsWith("#")) {
        continue;
      }
      int number = i + 1;
      JsonNode node;
      try {
        node = JSON.readTree(text);
      } catch (JsonProcessingException e) {
        throw lineError(number, "not a JSON object (" + e.getOriginalMessage() + ")");
      }
      if (node == null || !node.isObject()) {
        throw lineError(number, "not a JSON object");
      }
      Line l = new Line(number, node);
      String op = l.text("op");
      Set<String> allowed =
          "write".equals(op)
              ? WRITE_FIELDS
              : "append".equals(op) ? APPEND_FIELDS : "delete".equals(op) ? DELETE_FIELDS : null;
      if (allowed == null) {
        throw lineError(
            number,
            (op == null ? "no \"op\"" : "unknown op \"" + op + "\"")
                + "; use \"write\", \"append\" or \"delete\"");
      }
      for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
        String f = it.next();
        if (!allowed.contains(f)) {
          throw lineError(
              number,
              "\""
                  + f
                  + "\" is not a field of "
                  + op
                  + "; its fields are "
                  + new java.util.TreeSet<>(allowed));
        }
      }
      if (l.text("item") == null) {
        throw lineError(number, "no \"item\": name the item the " + op + " changes");
      }
      if (!op.equals("delete") && l.text("csv") == null) {
        throw lineError(number, "no \"csv\": name the CSV file (relative to " + file + ")");
      }
      out.add(l);
    }
    return out;
  }

  private UserException lineError(int number, String what) {
    return new UserException(
        "line " + number + " of " + file + ": " + what + "; nothing was changed");
  }

  private void stage(
      Transaction tx, PyCollection c, Line l, Path base, Map<String, Schema> written) {
    String op = l.text("op");
    String item = l.text("item");
    Names.check("item", item);
    if (op.equals("delete")) {
      tx.delete(item);
      return;
    }
    Path csv = base.resolve(l.text("csv"));
    String unit = l.text("index_unit");
    if (unit != null && !Set.of("s", "ms", "us", "ns").contains(unit)) {
      throw new UserException("\"index_unit\" must be one of s, ms, us, ns, not '" + unit + "'");
    }
    Schema given = schemaFile(l, base);
    if (op.equals("write")) {
      ItemOptions options =
          new ItemOptions(
              l.text("index"),
              keys(l.op().get("key")),
              parse(l, "dedupe", DedupePolicy.EXACT, DedupePolicy.class),
              parse(l, "bucket", Bucketing.DAY, Bucketing.class),
              l.text("timezone") == null ? "UTC" : l.text("timezone"),
              parse(l, "codec", Codec.SNAPPY, Codec.class));
      CsvInput.Loaded in = CsvInput.load(csv, l.text("index"), unit, given, null, IndexUnit.NANOS);
      tx.write(
          item,
          in.schema(),
          in.rows(),
          options.withIndexColumn(in.indexColumn()),
          metadata(l.op().get("metadata")),
          l.op().path("overwrite").asBoolean(false));
      written.put(item, in.schema());
      return;
    }
    Schema schema = written.get(item);
    String index = l.text("index");
    if (schema == null) {
      ItemState s = c.item(item).state();
      schema = s.schema();
      index = index != null ? index : s.options().indexColumn();
    }
    if (index == null) {
      index = schema.getFields().get(0).name();
    }
    Schema.Field f = schema.getField(index);
    IndexUnit indexUnit = IndexUnit.of(f == null ? IndexUnit.NANOS.schema() : f.schema());
    CsvInput.Loaded in = CsvInput.load(csv, index, unit, given, schema, indexUnit);
    tx.append(item, in.rows());
  }

  private static Schema schemaFile(Line l, Path base) {
    String s = l.text("schema");
    if (s == null) {
      return null;
    }
    Path p = base.resolve(s);
    try {
      return new Schema.Parser().parse(Files.readString(p));
    } catch (NoSuchFileException e) {
      throw new UserException("schema file " + p + " does not exist");
    } catch (IOException | org.apache.avro.SchemaParseException e) {
      throw new UserException("cannot read Avro schema " + p + ": " + e.getMessage(), e);
    }
  }

  private static List<String> keys(JsonNode n) {
    if (n == null || n.isNull()) {
      return List.of();
    }
    List<String> out = new ArrayList<>();
    if (n.isArray()) {
      n.forEach(k -> out.add(k.asText()));
    } else {
      for (String k : n.asText().split(",")) {
        if (!k.isBlank()) {
          out.add(k.strip());
        }
      }
    }
    return out;
  }

  private static Map<String, Object> metadata(JsonNode n) {
    Map<String, Object> out = new LinkedHashMap<>();
    if (n == null || n.isNull()) {
      return out;
    }
    if (!n.isObject()) {
      throw new UserException("\"metadata\" must be a JSON object of keys to values");
    }
    Map<?, ?> m = JSON.convertValue(n, Map.class);
    m.forEach((k, v) -> out.put(String.valueOf(k), v));
    return out;
  }

  private static <E extends Enum<E>> E parse(Line l, String field, E dflt, Class<E> type) {
    String v = l.text(field);
    if (v == null) {
      return dflt;
    }
    try {
      return Enum.valueOf(type, v.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      List<String> names = new ArrayList<>();
      for (E c : type.getEnumConstants()) {
        names.add(c.name().toLowerCase(Locale.ROOT));
      }
      throw new UserException(
          "\"" + field + "\" must be one of " + String.join(", ", names) + ", not '" + v + "'");
    }
  }
}
