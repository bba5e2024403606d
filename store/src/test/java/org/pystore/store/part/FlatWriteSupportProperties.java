package org.pystore.store.part;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.util.Utf8;
import org.pystore.store.Codec;
import org.pystore.store.storage.LocalStorage;

/**
 * {@link FlatWriteSupport} writes the same file as parquet-avro's {@code AvroWriteSupport}, byte
 * for byte, for random flat schemas (every primitive type, nullable or not, with the logical types
 * the store uses) and random rows (nulls, strings as {@code String} or {@code Utf8}, bytes as
 * {@code ByteBuffer} or {@code byte[]}), with every codec. Schemas it does not handle go to
 * parquet-avro.
 */
class FlatWriteSupportProperties {
  /** One column: its Avro type (maybe with a logical type), and whether it admits null. */
  record Column(Schema.Type type, String logical, boolean optional) {}

  /** String instances many rows share. */
  static final List<String> SHARED =
      java.util.stream.IntStream.range(0, 150)
          .mapToObj(i -> new String("shared-" + i + (i % 3 == 0 ? "é✓" : "")))
          .toList();

  @Provide
  Arbitrary<List<Column>> columns() {
    Arbitrary<Column> column =
        Combinators.combine(
                Arbitraries.of(
                    Schema.Type.BOOLEAN,
                    Schema.Type.INT,
                    Schema.Type.LONG,
                    Schema.Type.FLOAT,
                    Schema.Type.DOUBLE,
                    Schema.Type.STRING,
                    Schema.Type.BYTES),
                Arbitraries.integers().between(0, 3),
                Arbitraries.of(true, false))
            .as(
                (t, l, o) -> {
                  String logical =
                      switch (t) {
                        case INT -> l == 1 ? "date" : l == 2 ? "time-millis" : null;
                        case LONG ->
                            l == 1 ? "timestamp-micros" : l == 2 ? "timestamp-millis" : null;
                        case BYTES -> l == 1 ? "decimal" : null;
                        default -> null;
                      };
                  return new Column(t, logical, o);
                });
    return column.list().ofMinSize(0).ofMaxSize(8);
  }

  static Schema schema(List<Column> columns) {
    SchemaBuilder.FieldAssembler<Schema> f =
        SchemaBuilder.record("row").fields().name("ts").type(nanos()).noDefault();
    for (int i = 0; i < columns.size(); i++) {
      Column c = columns.get(i);
      Schema t = Schema.create(c.type());
      if ("decimal".equals(c.logical())) {
        t = LogicalTypes.decimal(10, 2).addToSchema(t);
      } else if (c.logical() != null) {
        t.addProp("logicalType", c.logical());
      }
      Schema s = c.optional() ? Schema.createUnion(Schema.create(Schema.Type.NULL), t) : t;
      f = f.name("c" + i).type(s).noDefault();
    }
    return f.endRecord();
  }

  private static Schema nanos() {
    Schema s = Schema.create(Schema.Type.LONG);
    s.addProp("logicalType", "timestamp-nanos");
    return s;
  }

  private static Object value(Column c, Random r) {
    if (c.optional() && r.nextInt(4) == 0) {
      return null;
    }
    return switch (c.type()) {
      case BOOLEAN -> r.nextBoolean();
      case INT -> r.nextInt(5) == 0 ? Integer.MIN_VALUE : r.nextInt();
      case LONG -> r.nextInt(5) == 0 ? Long.MAX_VALUE : r.nextLong();
      case FLOAT -> r.nextInt(6) == 0 ? Float.NaN : r.nextFloat() * 1e6f - 5e5f;
      case DOUBLE -> r.nextInt(6) == 0 ? Double.NEGATIVE_INFINITY : r.nextGaussian() * 1e9;
      case STRING -> {
        // fresh instances, and instances shared by many rows as a dictionary-encoded column
        // reads back (more of them than the writer's per-column cache has slots)
        String s =
            switch (r.nextInt(3)) {
              case 0 -> "";
              case 1 -> SHARED.get(r.nextInt(SHARED.size()));
              default -> "v" + r.nextInt(20) + (r.nextBoolean() ? "é✓" : "");
            };
        yield r.nextBoolean() ? s : new Utf8(s);
      }
      case BYTES -> {
        byte[] b = new byte[r.nextInt(6)];
        r.nextBytes(b);
        yield r.nextBoolean() ? ByteBuffer.wrap(b) : b;
      }
      default -> throw new IllegalArgumentException(c.type().toString());
    };
  }

  static List<GenericRecord> rows(Schema schema, List<Column> columns, int n, long seed) {
    Random r = new Random(seed);
    List<GenericRecord> rows = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      GenericData.Record row = new GenericData.Record(schema);
      row.put(0, 1_704_153_600_000_000_000L + i * 1_000L);
      for (int c = 0; c < columns.size(); c++) {
        row.put(c + 1, value(columns.get(c), r));
      }
      rows.add(row);
    }
    return rows;
  }

  static byte[] write(
      Path dir, String name, boolean flat, Schema schema, List<GenericRecord> rows, Codec codec)
      throws IOException {
    LocalStorage storage = new LocalStorage(dir, false);
    PartWriter.write(
        storage,
        name,
        flat
            ? new FlatWriteSupport(PartWriter.fileSchema(schema), schema)
            : PartWriter.parquetAvro(schema),
        rows,
        0,
        rows.size(),
        codec,
        PandasMetadata.json(schema, List.of("ts"), "test"),
        "ts");
    return Files.readAllBytes(dir.resolve(name));
  }

  @Property(tries = 80)
  void writesTheFileParquetAvroWrites(
      @ForAll("columns") List<Column> columns,
      @ForAll Codec codec,
      @ForAll long seed,
      @ForAll("sizes") int n)
      throws IOException {
    Schema schema = schema(columns);
    assertThat(FlatWriteSupport.handles(schema)).isTrue();
    List<GenericRecord> rows = rows(schema, columns, n, seed);
    Path dir = Files.createTempDirectory("flat-writes");
    try {
      byte[] ours = write(dir, "flat.parquet", true, schema, rows, codec);
      byte[] theirs = write(dir, "avro.parquet", false, schema, rows, codec);
      assertThat(ours).isEqualTo(theirs);
    } finally {
      deleteTree(dir);
    }
  }

  private static void deleteTree(Path dir) throws IOException {
    try (var files = Files.walk(dir)) {
      for (Path f : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(f);
      }
    }
  }

  @Provide
  Arbitrary<Integer> sizes() {
    return Arbitraries.oneOf(Arbitraries.integers().between(0, 40), Arbitraries.just(3_000));
  }

  @Example
  void aNullInARequiredColumnIsRefusedAsParquetAvroRefusesIt() throws IOException {
    List<Column> columns = List.of(new Column(Schema.Type.DOUBLE, null, false));
    Schema schema = schema(columns);
    List<GenericRecord> rows = rows(schema, columns, 3, 1);
    rows.get(1).put("c0", null);
    Path dir = Files.createTempDirectory("flat-writes");
    for (boolean flat : new boolean[] {true, false}) {
      assertThatThrownBy(
              () -> write(dir, "p" + flat + ".parquet", flat, schema, rows, Codec.SNAPPY))
          .hasMessageContaining("Null-value for required field: c0");
      assertThat(dir.resolve("p" + flat + ".parquet")).doesNotExist(); // abandoned, not left
    }
    deleteTree(dir);
  }

  @Example
  void ticksAreWrittenFlat() {
    assertThat(PartWriter.writeSupport(org.pystore.store.Ticks.SCHEMA))
        .isInstanceOf(FlatWriteSupport.class);
  }

  @Example
  void nestedEnumFixedAndUuidColumnsGoToParquetAvro() {
    Schema inner = SchemaBuilder.record("inner").fields().requiredLong("x").endRecord();
    Schema uuid = Schema.create(Schema.Type.STRING);
    uuid.addProp("logicalType", "uuid");
    List<Schema> others =
        List.of(
            inner,
            Schema.createArray(Schema.create(Schema.Type.LONG)),
            Schema.createMap(Schema.create(Schema.Type.STRING)),
            Schema.createEnum("side", null, null, List.of("BUY", "SELL")),
            Schema.createFixed("f4", null, null, 4),
            uuid,
            Schema.createUnion(
                Schema.create(Schema.Type.NULL),
                Schema.create(Schema.Type.LONG),
                Schema.create(Schema.Type.STRING)));
    for (Schema other : others) {
      Schema s =
          SchemaBuilder.record("row")
              .fields()
              .name("ts")
              .type(nanos())
              .noDefault()
              .name("o")
              .type(other)
              .noDefault()
              .endRecord();
      assertThat(FlatWriteSupport.handles(s)).as(other.toString()).isFalse();
      assertThat(PartWriter.writeSupport(s)).isNotInstanceOf(FlatWriteSupport.class);
    }
  }
}
