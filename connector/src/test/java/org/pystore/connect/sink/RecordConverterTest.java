package org.pystore.connect.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.Conversions;
import org.apache.avro.LogicalTypes;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.connect.data.Date;
import org.apache.kafka.connect.data.Decimal;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaAndValue;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.data.Time;
import org.apache.kafka.connect.data.Timestamp;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.json.JsonConverter;
import org.apache.kafka.connect.sink.SinkRecord;
import org.junit.jupiter.api.Test;
import org.pystore.store.Schemas;

/** Connect values of every shape a converter produces become rows with the right Avro types. */
class RecordConverterTest {
  static RecordConverter converter(Map<String, String> extra) {
    Map<String, String> p = new HashMap<>(Map.of("store.path", "/tmp/unused"));
    p.putAll(extra);
    return new RecordConverter(new PyStoreSinkConfig(p));
  }

  static SinkRecord record(Object key, Schema schema, Object value, Long ts) {
    return new SinkRecord(
        "ticks",
        3,
        null,
        key,
        schema,
        value,
        42L,
        ts,
        org.apache.kafka.common.record.TimestampType.CREATE_TIME);
  }

  /**
   * Shaped as Confluent's AvroConverter makes them: enum and precision parameters, nested optional
   * structs.
   */
  static final Schema VENUE =
      SchemaBuilder.struct()
          .name("io.confluent.Venue")
          .optional()
          .field("mic", Schema.STRING_SCHEMA)
          .field("lot", Schema.OPTIONAL_INT32_SCHEMA)
          .build();

  static final Schema SIDE =
      SchemaBuilder.string()
          .name("io.confluent.Side")
          .parameter("io.confluent.connect.avro.Enum", "io.confluent.Side")
          .parameter("io.confluent.connect.avro.Enum.BUY", "BUY")
          .build();
  static final Schema TICK =
      SchemaBuilder.struct()
          .name("io.confluent.Tick")
          .field("sym", Schema.STRING_SCHEMA)
          .field("at", Timestamp.SCHEMA)
          .field("px", Decimal.builder(4).parameter("connect.decimal.precision", "18").build())
          .field("day", Date.SCHEMA)
          .field("tod", Time.SCHEMA)
          .field("qty", Schema.INT16_SCHEMA)
          .field("f", Schema.FLOAT32_SCHEMA)
          .field("ok", Schema.OPTIONAL_BOOLEAN_SCHEMA)
          .field("side", SIDE)
          .field("raw", Schema.BYTES_SCHEMA)
          .field("venue", VENUE)
          .field("tags", SchemaBuilder.array(Schema.STRING_SCHEMA).build())
          .field(
              "legs",
              SchemaBuilder.map(Schema.INT32_SCHEMA, Schema.FLOAT64_SCHEMA).optional().build())
          .field("bid-price", Schema.FLOAT64_SCHEMA)
          .build();

  @Test
  void avroConverterShapedStructBecomesTypedRow() {
    Struct v = new Struct(TICK);
    v.put("sym", "AAPL");
    v.put("at", new java.util.Date(1_704_182_400_123L));
    v.put("px", new BigDecimal("185.1234"));
    v.put("day", new java.util.Date(19_724L * 86_400_000L));
    v.put("tod", new java.util.Date(34_200_000L));
    v.put("qty", (short) 7);
    v.put("f", 1.5f);
    v.put("ok", null);
    v.put("side", "BUY");
    v.put("raw", new byte[] {1, 2});
    v.put("venue", new Struct(VENUE).put("mic", "XNAS").put("lot", null));
    v.put("tags", List.of("a", "b"));
    v.put("legs", Map.of(1, 2.5));
    v.put("bid-price", 184.0);
    SinkRow row =
        converter(Map.of("index.field", "at", "item.field", "sym"))
            .convert(record(null, TICK, v, null));
    assertThat(row.collection()).isEqualTo("ticks");
    assertThat(row.item()).isEqualTo("AAPL");
    assertThat(row.offset()).isEqualTo(42L);
    GenericRecord r = row.row();
    org.apache.avro.Schema s = r.getSchema();
    assertThat(Schemas.names(s)).startsWith("at").contains("bid_price").doesNotContain("bid-price");
    assertThat(r.get("at")).isEqualTo(1_704_182_400_123_000_000L);
    org.apache.avro.Schema px = s.getField("px").schema();
    assertThat(px.getLogicalType()).isEqualTo(LogicalTypes.decimal(18, 4));
    assertThat(
            new Conversions.DecimalConversion()
                .fromBytes((ByteBuffer) r.get("px"), px, px.getLogicalType()))
        .isEqualByComparingTo("185.1234");
    assertThat(r.get("day")).isEqualTo(19_724);
    assertThat(s.getField("day").schema().getLogicalType().getName()).isEqualTo("date");
    assertThat(r.get("tod")).isEqualTo(34_200_000);
    assertThat(r.get("qty")).isEqualTo(7);
    assertThat(r.get("f")).isEqualTo(1.5f);
    assertThat(r.get("ok")).isNull();
    assertThat(Schemas.isNullable(s.getField("ok").schema())).isTrue();
    assertThat(r.get("side")).isEqualTo("BUY");
    assertThat(((GenericRecord) r.get("venue")).get("mic")).isEqualTo("XNAS");
    assertThat(Schemas.isNullable(s.getField("venue").schema())).isTrue();
    assertThat(r.get("tags")).isEqualTo(List.of("a", "b"));
    assertThat(r.get("legs")).isEqualTo(Map.of("1", 2.5));
    assertThat(row.bytes()).isGreaterThan(64);
  }

  @Test
  void jsonWithSchemasAndSchemalessJson() {
    JsonConverter withSchemas = new JsonConverter();
    withSchemas.configure(Map.of("schemas.enable", "true"), false);
    String json =
        "{\"schema\":{\"type\":\"struct\",\"fields\":[{\"field\":\"ts\",\"type\":\"int64\",\"name\":\"org.apache.kafka.connect.data.Timestamp\"},{\"field\":\"p\",\"type\":\"double\"}]},\"payload\":{\"ts\":1704182400000,\"p\":1.5}}";
    SchemaAndValue sv = withSchemas.toConnectData("ticks", json.getBytes(StandardCharsets.UTF_8));
    SinkRow row =
        converter(Map.of("index.field", "ts"))
            .convert(record("EUR/USD", sv.schema(), sv.value(), null));
    assertThat(row.item()).isEqualTo("EUR%2FUSD");
    assertThat(row.row().get("p")).isEqualTo(1.5);

    JsonConverter schemaless = new JsonConverter();
    schemaless.configure(Map.of("schemas.enable", "false"), false);
    SchemaAndValue free =
        schemaless.toConnectData(
            "ticks",
            "{\"n\":3,\"x\":2.5,\"ok\":true,\"s\":\"hi\",\"nested\":{\"a\":1}}"
                .getBytes(StandardCharsets.UTF_8));
    SinkRow r2 =
        converter(Map.of()).convert(record("K", free.schema(), free.value(), 1_704_182_400_000L));
    GenericRecord g = r2.row();
    assertThat(g.get("ts")).isEqualTo(1_704_182_400_000_000_000L);
    assertThat(g.get("n")).isEqualTo(3L);
    assertThat(g.get("x")).isEqualTo(2.5);
    assertThat(g.get("ok")).isEqualTo(true);
    assertThat(g.get("nested")).isEqualTo("{\"a\":1}");
    assertThat(Schemas.isNullable(g.getSchema().getField("n").schema())).isTrue();
  }

  @Test
  void badRecordsNameTopicPartitionOffsetAndCause() {
    RecordConverter c = converter(Map.of("index.field", "ts"));
    Schema s = SchemaBuilder.struct().field("ts", Schema.OPTIONAL_INT64_SCHEMA).build();
    assertThatThrownBy(() -> c.convert(record("K", s, new Struct(s), null)))
        .isInstanceOf(DataException.class)
        .hasMessageContaining("ticks/3@42")
        .hasMessageContaining("index field 'ts'");
    assertThatThrownBy(() -> converter(Map.of()).convert(record(null, null, Map.of("a", 1), 1L)))
        .hasMessageContaining("no key");
    assertThatThrownBy(() -> converter(Map.of()).convert(record("K", null, "text", 1L)))
        .hasMessageContaining("String");
    assertThatThrownBy(() -> converter(Map.of()).convert(record("K", null, Map.of("ts", 1), 1L)))
        .hasMessageContaining("index.column");
    assertThatThrownBy(() -> converter(Map.of()).convert(record("", null, Map.of("a", 1), 1L)))
        .hasMessageContaining("empty");
    assertThat(converter(Map.of()).convert(record("K", null, null, 1L))).isNull();
    assertThatThrownBy(
            () ->
                converter(Map.of("behavior.on.null.values", "fail"))
                    .convert(record("K", null, null, 1L)))
        .hasMessageContaining("tombstone");
  }

  @Test
  void indexFromNumbersInAUnitAndFromStrings() {
    SinkRow r =
        converter(Map.of("index.field", "t", "index.unit", "us"))
            .convert(record("K", null, Map.of("t", 1_704_182_400_000_001L), null));
    assertThat(r.row().get("t")).isEqualTo(1_704_182_400_000_001_000L);
    SinkRow s =
        converter(Map.of("index.field", "t"))
            .convert(record("K", null, Map.of("t", "2024-01-02T00:00:00.000000007Z"), null));
    assertThat(s.row().get("t")).isEqualTo(1_704_153_600_000_000_007L);
  }

  /**
   * A long-lived converter remembers the last schemaless shape, item names and partitions; for a
   * random stream of maps of few shapes (keys in varying order, values changing kind, nulls, the
   * index field anywhere) every row equals the row a fresh converter makes of the same record.
   */
  @Test
  void schemalessRowsEqualThoseOfAFreshConverter() {
    Map<String, String> props = Map.of("index.field", "t", "item.field", "sym");
    RecordConverter lived = converter(props);
    java.util.Random random = new java.util.Random(7);
    List<String> keys = List.of("t", "sym", "px", "qty", "note", "ok");
    for (int i = 0; i < 3000; i++) {
      List<String> order = new java.util.ArrayList<>(keys);
      if (random.nextInt(4) == 0) {
        java.util.Collections.shuffle(order, random);
      }
      Map<String, Object> m = new java.util.LinkedHashMap<>();
      for (String k : order) {
        switch (k) {
          case "t":
            m.put(k, 1_704_182_400_000L + i);
            break;
          case "sym":
            m.put(k, random.nextBoolean() ? "AAPL" : "MSFT");
            break;
          default:
            int kind = random.nextInt(random.nextInt(8) == 0 ? 5 : 2); // mostly one shape
            Object v =
                kind == 0
                    ? (Object) (random.nextInt(100) + 0.5)
                    : kind == 1
                        ? (Object) (long) random.nextInt(100)
                        : kind == 2 ? "x" + random.nextInt(3) : kind == 3 ? (Object) true : null;
            if (v != null || random.nextBoolean()) {
              m.put(k, v);
            }
        }
      }
      SinkRecord r =
          new SinkRecord(
              "ticks",
              random.nextInt(2),
              null,
              null,
              null,
              m,
              i,
              null,
              org.apache.kafka.common.record.TimestampType.CREATE_TIME);
      SinkRow a = lived.convert(r);
      SinkRow b = converter(props).convert(r);
      assertThat(a.row().getSchema()).as("record %d: %s", i, m).isEqualTo(b.row().getSchema());
      assertThat(a.row()).as("record %d: %s", i, m).isEqualTo(b.row());
      assertThat(a.item()).isEqualTo(b.item());
      assertThat(a.tp()).isEqualTo(b.tp());
      assertThat(a.offset()).isEqualTo(b.offset());
    }
  }

  /**
   * Integral epoch values skip the text round trip; in every unit they give what the exact path
   * gives, or are refused as it refuses them.
   */
  @Test
  void integralIndexValuesEqualTheExactPathInEveryUnit() {
    for (String unit : List.of("s", "ms", "us", "ns")) {
      RecordConverter c = converter(Map.of("index.field", "t", "index.unit", unit));
      for (long v :
          new long[] {
            0L, 1L, -1L, 1_704_182_400L, 1_704_182_400_123L, -86_400_001L, Long.MAX_VALUE / 10
          }) {
        for (Object fast : new Object[] {v, (int) v}) {
          Object exact = java.math.BigInteger.valueOf(((Number) fast).longValue());
          Object a = indexOrRefusal(c, fast);
          Object b = indexOrRefusal(c, exact);
          assertThat(a).as("%s %s", fast, unit).isEqualTo(b);
        }
      }
    }
    assertThatThrownBy(
            () ->
                converter(Map.of("index.field", "t", "index.unit", "ms"))
                    .convert(record("K", null, Map.of("t", Long.MAX_VALUE / 10), null)))
        .isInstanceOf(DataException.class)
        .hasMessageContaining("ticks/3@42")
        .hasMessageContaining("outside the range of the index");
  }

  /** The index a converter makes of a value, or "refused". */
  private static Object indexOrRefusal(RecordConverter c, Object value) {
    try {
      return c.convert(record("K", null, Map.of("t", value), null)).row().get("t");
    } catch (DataException e) {
      return "refused";
    }
  }

  /** A remembered item name never lets a bad one through: each bad record is refused. */
  @Test
  void badItemNamesAreRefusedEveryTime() {
    RecordConverter c = converter(Map.of());
    assertThat(c.convert(record("AAPL", null, Map.of("a", 1), 1L)).item()).isEqualTo("AAPL");
    for (int i = 0; i < 3; i++) {
      assertThatThrownBy(() -> c.convert(record("", null, Map.of("a", 1), 1L)))
          .hasMessageContaining("empty");
    }
    assertThat(c.convert(record("AAPL", null, Map.of("a", 1), 1L)).item()).isEqualTo("AAPL");
  }
}
