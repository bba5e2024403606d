package org.pystore.cli;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.avro.Conversions;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.pystore.store.IndexUnit;
import org.pystore.store.InvalidDataException;
import org.pystore.store.Schemas;
import org.pystore.store.Timestamps;

/**
 * Reads a CSV file with a header row into Avro rows. The index column is named or else the first;
 * its cells are ISO-8601 timestamps or, with an index unit, epoch numbers. Other columns take their
 * types from an Avro schema, from the item being appended to, or by inference (long, double,
 * boolean, else string). An empty cell is null. Line numbers in messages count the header as line
 * 1.
 */
final class CsvInput {
  private static final Conversions.DecimalConversion DECIMALS = new Conversions.DecimalConversion();

  /**
   * What was read.
   *
   * @param schema the rows' schema
   * @param rows the rows, in file order
   * @param indexColumn the index column
   */
  record Loaded(Schema schema, List<GenericRecord> rows, String indexColumn) {}

  private CsvInput() {}

  /**
   * Reads a CSV file.
   *
   * @param file the file
   * @param indexColumn the index column, or null for the first
   * @param epochUnit s/ms/us/ns when index cells are epoch numbers, or null for ISO-8601
   * @param given an Avro record schema for all columns, or null
   * @param item the schema of the item appended to, or null
   * @param unit the unit of the index column when there is no given or item schema
   * @return the rows
   * @throws UserException for an unreadable file, a malformed CSV or a bad cell
   */
  static Loaded load(
      Path file, String indexColumn, String epochUnit, Schema given, Schema item, IndexUnit unit) {
    return load(file, indexColumn, epochUnit, given, item, unit, Progress.none());
  }

  /** {@link #load} with a progress line for the rows converted. */
  static Loaded load(
      Path file,
      String indexColumn,
      String epochUnit,
      Schema given,
      Schema item,
      IndexUnit unit,
      Progress progress) {
    List<String> header;
    List<CSVRecord> records;
    CSVFormat format =
        CSVFormat.RFC4180
            .builder()
            .setHeader()
            .setSkipHeaderRecord(true)
            .setIgnoreEmptyLines(true)
            .get();
    try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8);
        CSVParser parser = CSVParser.parse(in, format)) {
      header = parser.getHeaderNames();
      records = parser.getRecords();
    } catch (NoSuchFileException e) {
      throw new UserException("CSV file " + file + " does not exist");
    } catch (IOException
        | UncheckedIOException
        | IllegalArgumentException
        | IllegalStateException e) {
      throw new UserException("cannot parse CSV file " + file + ": " + csvProblem(e), e);
    }
    if (header.isEmpty()) {
      throw new UserException(
          "CSV file " + file + " has no header row; the first line must name the columns");
    }
    Set<String> seen = new HashSet<>();
    for (String h : header) {
      if (h == null || h.isBlank()) {
        throw new UserException("CSV file " + file + " has an empty column name in its header");
      }
      if (!seen.add(h)) {
        throw new UserException(
            "CSV file " + file + " names column '" + h + "' twice in its header; rename one");
      }
    }
    String index = indexColumn == null ? header.get(0) : indexColumn;
    if (!header.contains(index)) {
      throw new UserException("index column '" + index + "' is not in the CSV header " + header);
    }
    Schema schema =
        given != null
            ? checkGiven(given, header, index)
            : build(header, records, index, item, unit);
    List<GenericRecord> rows = new ArrayList<>(records.size());
    long line = 1;
    String reading = "reading " + file.getFileName();
    for (CSVRecord rec : records) {
      line++;
      if ((line & 0x3FF) == 0) {
        progress.update(reading, line - 1, records.size());
      }
      if (rec.size() != header.size()) {
        throw new UserException(
            "line "
                + line
                + " of "
                + file
                + " has "
                + rec.size()
                + " cells, the header has "
                + header.size());
      }
      GenericData.Record row = new GenericData.Record(schema);
      for (int c = 0; c < header.size(); c++) {
        String name = header.get(c);
        Schema.Field f = schema.getField(name);
        row.put(f.pos(), cell(rec.get(c), f, name.equals(index) ? epochUnit : null, line));
      }
      rows.add(row);
    }
    return new Loaded(schema, rows, index);
  }

  private static Schema checkGiven(Schema given, List<String> header, String index) {
    if (given.getType() != Schema.Type.RECORD) {
      throw new UserException("the --schema file must hold an Avro record schema");
    }
    for (String h : header) {
      if (given.getField(h) == null) {
        throw new UserException(
            "CSV column '" + h + "' is not in the --schema record " + Schemas.names(given));
      }
    }
    for (Schema.Field f : given.getFields()) {
      if (!header.contains(f.name()) && !Schemas.isNullable(f.schema())) {
        throw new UserException(
            "column '" + f.name() + "' of the --schema record is required but not in the CSV");
      }
    }
    try {
      Schemas.indexColumn(given, index);
    } catch (InvalidDataException | org.pystore.store.IncompatibleSchemaException e) {
      throw new UserException(e.getMessage());
    }
    return given;
  }

  private static Schema build(
      List<String> header, List<CSVRecord> records, String index, Schema item, IndexUnit unit) {
    SchemaBuilder.FieldAssembler<Schema> fields = SchemaBuilder.record("Row").fields();
    for (int c = 0; c < header.size(); c++) {
      String name = header.get(c);
      Schema.Field known = item == null ? null : item.getField(name);
      Schema type;
      if (known != null) {
        type = known.schema();
      } else if (name.equals(index)) {
        type = unit.schema();
      } else {
        type = infer(records, c);
      }
      fields = fields.name(name).type(type).noDefault();
    }
    return fields.endRecord();
  }

  private static Schema infer(List<CSVRecord> records, int c) {
    boolean nullable = false;
    boolean isLong = true;
    boolean isDouble = true;
    boolean isBool = true;
    int seen = 0;
    for (CSVRecord r : records) {
      String v = c < r.size() ? r.get(c) : "";
      if (v.isEmpty()) {
        nullable = true;
        continue;
      }
      seen++;
      if (isLong && !parses(() -> Long.parseLong(v))) {
        isLong = false;
      }
      if (isDouble && !parses(() -> Double.parseDouble(v))) {
        isDouble = false;
      }
      if (isBool && !(v.equalsIgnoreCase("true") || v.equalsIgnoreCase("false"))) {
        isBool = false;
      }
    }
    Schema.Type t;
    if (seen == 0) {
      t = Schema.Type.STRING;
    } else if (isLong) {
      t = Schema.Type.LONG;
    } else if (isDouble) {
      t = Schema.Type.DOUBLE;
    } else if (isBool) {
      t = Schema.Type.BOOLEAN;
    } else {
      t = Schema.Type.STRING;
    }
    Schema s = Schema.create(t);
    return nullable ? Schemas.nullable(s) : s;
  }

  private static boolean parses(Runnable r) {
    try {
      r.run();
      return true;
    } catch (NumberFormatException e) {
      return false;
    }
  }

  private static Object cell(String text, Schema.Field f, String epochUnit, long line) {
    if (text.isEmpty()) {
      if (!Schemas.isNullable(f.schema())) {
        throw new UserException(
            "line " + line + ": column '" + f.name() + "' is empty but may not be null");
      }
      return null;
    }
    Schema t = Schemas.nonNull(f.schema());
    try {
      IndexUnit unit = IndexUnit.of(t);
      if (unit != null) {
        Instant at =
            epochUnit != null ? Timestamps.parseEpoch(text, epochUnit) : Timestamps.parse(text);
        return unit.fromInstant(at);
      }
      if (t.getLogicalType() instanceof LogicalTypes.Date) {
        return (int) LocalDate.parse(text.trim()).toEpochDay();
      }
      if (t.getLogicalType() instanceof LogicalTypes.Decimal) {
        LogicalTypes.Decimal d = (LogicalTypes.Decimal) t.getLogicalType();
        BigDecimal v = new BigDecimal(text.trim()).setScale(d.getScale(), RoundingMode.UNNECESSARY);
        return t.getType() == Schema.Type.FIXED
            ? DECIMALS.toFixed(v, t, d)
            : DECIMALS.toBytes(v, t, d);
      }
      switch (t.getType()) {
        case INT:
          return Integer.parseInt(text.trim());
        case LONG:
          return Long.parseLong(text.trim());
        case FLOAT:
          return Float.parseFloat(text.trim());
        case DOUBLE:
          return Double.parseDouble(text.trim());
        case BOOLEAN:
          if (text.equalsIgnoreCase("true") || text.equalsIgnoreCase("false")) {
            return Boolean.parseBoolean(text.toLowerCase(Locale.ROOT));
          }
          throw new NumberFormatException();
        case STRING:
          return text;
        case ENUM:
          if (!t.getEnumSymbols().contains(text)) {
            throw new NumberFormatException();
          }
          return new GenericData.EnumSymbol(t, text);
        case BYTES:
          return ByteBuffer.wrap(Base64.getDecoder().decode(text.trim()));
        default:
          throw new UserException(
              "column '"
                  + f.name()
                  + "' of type "
                  + Schemas.describe(f.schema())
                  + " cannot be read from CSV; use the Java API");
      }
    } catch (NumberFormatException | ArithmeticException | DateTimeException e) {
      throw new UserException(
          "line "
              + line
              + ": cannot read '"
              + text
              + "' in column '"
              + f.name()
              + "' as "
              + Schemas.describe(f.schema()));
    } catch (IllegalArgumentException e) {
      throw new UserException("line " + line + ": column '" + f.name() + "': " + e.getMessage());
    } catch (InvalidDataException e) {
      throw new UserException("line " + line + ": column '" + f.name() + "': " + e.getMessage());
    }
  }

  private static final Pattern CSV_LINE =
      Pattern.compile("\\((?:start)?line (\\d+)\\)|at line: (\\d+)");

  /** What went wrong, in words about the file rather than the parser's (line numbers kept). */
  static String csvProblem(Exception e) {
    String m = String.valueOf(e.getMessage());
    Matcher line = CSV_LINE.matcher(m);
    String where =
        line.find() ? "line " + (line.group(1) != null ? line.group(1) : line.group(2)) + ": " : "";
    if (m.contains("EOF reached before encapsulated token finished")) {
      return where
          + "a quoted cell starting there is never closed (a closing \" is missing; a \" inside"
          + " a quoted cell is written twice: \"\")";
    }
    if (m.toLowerCase(Locale.ROOT).contains("between encapsulated token and delimiter")) {
      return where
          + "text follows a quoted cell before the next comma; quote the whole cell and write"
          + " each \" inside it twice";
    }
    if (m.contains("header contains a duplicate name")) {
      return "the header names a column twice; rename one";
    }
    // anything else: the parser's words, without its class names
    return m.replaceAll("^[a-z]+(\\.[a-z]+)+\\.[A-Za-z]+(Exception|Error): ", "");
  }
}
