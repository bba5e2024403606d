package org.pystore.store.part;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.apache.parquet.filter2.predicate.FilterApi;
import org.apache.parquet.filter2.predicate.FilterPredicate;
import org.apache.parquet.schema.MessageType;
import org.pystore.store.Codec;
import org.pystore.store.storage.LocalStorage;

/**
 * The column-at-a-time reader of flat parts returns exactly the rows parquet-avro's reader returns,
 * value for value and class for class: random flat schemas and rows (nulls, dictionary and plain
 * strings, bytes, logical types), read back in random read schemas (columns dropped, reordered,
 * widened, added with defaults), with and without a row-group filter.
 */
class FlatReaderProperties {
  @Provide
  Arbitrary<List<FlatWriteSupportProperties.Column>> columns() {
    return new FlatWriteSupportProperties().columns();
  }

  /** Small parts, and parts of two chunks and a bit ({@link FlatReader#CHUNK} rows each). */
  @Provide
  Arbitrary<Integer> sizes() {
    return Arbitraries.oneOf(
        Arbitraries.integers().between(0, 40), Arbitraries.just(2 * FlatReader.CHUNK + 17));
  }

  /** A read schema over a written one: fields dropped, shuffled, widened, added. */
  static Schema readSchema(Schema written, Random r) {
    List<Schema.Field> fields = new ArrayList<>();
    for (Schema.Field f : written.getFields()) {
      if (!f.name().equals("ts") && r.nextInt(4) == 0) {
        continue; // not read
      }
      Schema s = f.schema();
      Schema base = s.isUnion() ? s.getTypes().get(1) : s;
      if (base.getProp("logicalType") == null && r.nextInt(3) == 0) {
        Schema.Type wider =
            switch (base.getType()) {
              case INT -> Schema.Type.LONG;
              case FLOAT -> Schema.Type.DOUBLE;
              default -> null;
            };
        if (wider != null) {
          Schema w = Schema.create(wider);
          s = s.isUnion() ? Schema.createUnion(Schema.create(Schema.Type.NULL), w) : w;
        }
      }
      fields.add(new Schema.Field(f.name(), s, f.doc(), f.defaultVal()));
    }
    Collections.shuffle(fields, r);
    Schema nullableLong =
        Schema.createUnion(Schema.create(Schema.Type.NULL), Schema.create(Schema.Type.LONG));
    if (r.nextBoolean()) {
      fields.add(
          new Schema.Field("added_null", nullableLong, null, Schema.Field.NULL_DEFAULT_VALUE));
    }
    if (r.nextBoolean()) {
      fields.add(new Schema.Field("added_seven", Schema.create(Schema.Type.LONG), null, 7L));
    }
    if (r.nextBoolean()) {
      fields.add(new Schema.Field("added_text", Schema.create(Schema.Type.STRING), null, "d"));
    }
    return Schema.createRecord("row", null, null, false, fields);
  }

  private static List<GenericRecord> read(
      LocalStorage storage, String name, Schema schema, boolean columnar, long[] range)
      throws IOException {
    List<GenericRecord> out = new ArrayList<>();
    java.util.function.Function<MessageType, FilterPredicate> filter =
        range == null
            ? null
            : mt ->
                FilterApi.and(
                    FilterApi.gtEq(FilterApi.longColumn("ts"), range[0]),
                    FilterApi.ltEq(FilterApi.longColumn("ts"), range[1]));
    PartReader.IndexRange bounds =
        range == null ? null : new PartReader.IndexRange("ts", range[0], range[1]);
    try (PartReader r = PartReader.open(storage.open(name), schema, filter, bounds, columnar)) {
      for (GenericRecord g = r.next(); g != null; g = r.next()) {
        out.add(g);
      }
    }
    return out;
  }

  @Property(tries = 120)
  void readsTheRowsParquetAvroReads(
      @ForAll("columns") List<FlatWriteSupportProperties.Column> columns,
      @ForAll Codec codec,
      @ForAll long seed,
      @ForAll("sizes") int n,
      @ForAll boolean flatWriter,
      @ForAll boolean filtered)
      throws IOException {
    Schema written = FlatWriteSupportProperties.schema(columns);
    List<GenericRecord> rows = FlatWriteSupportProperties.rows(written, columns, n, seed);
    Path dir = Files.createTempDirectory("flat-reads");
    try {
      FlatWriteSupportProperties.write(dir, "p.parquet", flatWriter, written, rows, codec);
      LocalStorage storage = new LocalStorage(dir, false);
      Schema schema = readSchema(written, new Random(seed));
      MessageType file = PartReader.footer(dir.resolve("p.parquet")).parquetSchema();
      assertThat(FlatReader.handles(schema, file)).as(schema.toString()).isTrue();
      // rows are 1 µs apart from T (FlatWriteSupportProperties.rows): keep the middle third
      long t = 1_704_153_600_000_000_000L;
      long[] range = filtered ? new long[] {t + n / 3 * 1_000L, t + 2 * n / 3 * 1_000L} : null;
      List<GenericRecord> ours = read(storage, "p.parquet", schema, true, range);
      List<GenericRecord> theirs = read(storage, "p.parquet", schema, false, range);
      int kept = filtered ? (n == 0 ? 0 : 2 * n / 3 - n / 3 + 1) : n;
      assertThat(ours).hasSize(kept).hasSameSizeAs(theirs);
      for (int i = 0; i < kept; i++) {
        GenericRecord a = ours.get(i);
        GenericRecord b = theirs.get(i);
        // parquet-avro's rows carry the read schema as parsed back from its text (a default of 7L
        // then reads as an int node): compare the text
        assertThat(a.getSchema()).hasToString(b.getSchema().toString());
        for (Schema.Field f : schema.getFields()) {
          Object x = a.get(f.pos());
          Object y = b.get(f.pos());
          assertThat(x).as("row %d, %s", i, f).isEqualTo(y);
          if (y != null) {
            assertThat(x.getClass()).as("row %d, %s", i, f).isEqualTo(y.getClass());
          }
        }
        assertThat(a).hasToString(b.toString());
      }
    } finally {
      LocalStorage.deleteTree(dir);
    }
  }

  @Example
  void fieldsWithoutADefaultOrNarrowerThanTheFileGoToParquetAvro() throws IOException {
    Schema written = FlatWriteSupportProperties.schema(List.of());
    Path dir = Files.createTempDirectory("flat-reads");
    try {
      FlatWriteSupportProperties.write(dir, "p.parquet", true, written, List.of(), Codec.SNAPPY);
      MessageType file = PartReader.footer(dir.resolve("p.parquet")).parquetSchema();
      Schema record =
          Schema.createRecord(
              "row",
              null,
              null,
              false,
              List.of(
                  new Schema.Field("ts", Schema.create(Schema.Type.LONG)),
                  new Schema.Field(
                      "missing_no_default",
                      Schema.createUnion(
                          Schema.create(Schema.Type.NULL), Schema.create(Schema.Type.LONG)))));
      assertThat(FlatReader.handles(record, file)).isFalse();
      Schema narrower =
          Schema.createRecord(
              "row",
              null,
              null,
              false,
              List.of(new Schema.Field("ts", Schema.create(Schema.Type.INT))));
      assertThat(FlatReader.handles(narrower, file)).isFalse();
    } finally {
      LocalStorage.deleteTree(dir);
    }
  }
}
