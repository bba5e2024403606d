package org.pystore.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.pystore.store.Ticks.T0;

import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.avro.Conversions;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every column type the store promises round-trips through a part. */
class TypesTest {
  @TempDir Path root;

  static final Schema DECIMAL =
      LogicalTypes.decimal(18, 4).addToSchema(Schema.create(Schema.Type.BYTES));
  static final Schema DATE = LogicalTypes.date().addToSchema(Schema.create(Schema.Type.INT));
  static final Schema INNER =
      SchemaBuilder.record("Inner").fields().requiredString("venue").optionalInt("lot").endRecord();
  static final Schema ALL =
      SchemaBuilder.record("All")
          .fields()
          .name("ts")
          .type(IndexUnit.NANOS.schema())
          .noDefault()
          .requiredInt("i")
          .requiredLong("l")
          .requiredFloat("f")
          .requiredDouble("d")
          .requiredBoolean("b")
          .requiredString("s")
          .requiredBytes("raw")
          .name("dec")
          .type(DECIMAL)
          .noDefault()
          .name("day")
          .type(DATE)
          .noDefault()
          .name("at")
          .type(IndexUnit.MICROS.schema())
          .noDefault()
          .optionalDouble("maybe")
          .name("inner")
          .type(INNER)
          .noDefault()
          .name("tags")
          .type()
          .array()
          .items()
          .stringType()
          .noDefault()
          .name("attrs")
          .type()
          .map()
          .values()
          .longType()
          .noDefault()
          .endRecord();

  @Test
  void everyTypeRoundTrips() {
    Item item = TestStores.open(root).item("c", "types");
    GenericData.Record inner = new GenericData.Record(INNER);
    inner.put("venue", "XNAS");
    inner.put("lot", null);
    GenericData.Record r = new GenericData.Record(ALL);
    r.put("ts", T0 + 1);
    r.put("i", 42);
    r.put("l", Long.MAX_VALUE);
    r.put("f", 1.25f);
    r.put("d", Math.PI);
    r.put("b", true);
    r.put("s", "héllo, \"world\"");
    r.put("raw", ByteBuffer.wrap(new byte[] {0, 1, (byte) 255}));
    r.put(
        "dec",
        new Conversions.DecimalConversion()
            .toBytes(new BigDecimal("12345.6789"), DECIMAL, DECIMAL.getLogicalType()));
    r.put("day", 19725);
    r.put("at", 1_700_000_000_123_456L);
    r.put("maybe", null);
    r.put("inner", inner);
    r.put("tags", List.of("a", "b"));
    r.put("attrs", Map.of("k", 5L));
    item.write(ALL, List.of(r), ItemOptions.defaults(), Map.of(), false);

    GenericRecord back = Ticks.readAll(item).get(0);
    assertThat(back.get("ts")).isEqualTo(T0 + 1);
    assertThat(back.get("i")).isEqualTo(42);
    assertThat(back.get("l")).isEqualTo(Long.MAX_VALUE);
    assertThat(back.get("f")).isEqualTo(1.25f);
    assertThat(back.get("d")).isEqualTo(Math.PI);
    assertThat(back.get("b")).isEqualTo(true);
    assertThat(back.get("s").toString()).isEqualTo("héllo, \"world\"");
    assertThat(((ByteBuffer) back.get("raw")).array()).containsExactly(0, 1, 255);
    BigDecimal dec =
        new Conversions.DecimalConversion()
            .fromBytes((ByteBuffer) back.get("dec"), DECIMAL, DECIMAL.getLogicalType());
    assertThat(dec).isEqualByComparingTo("12345.6789");
    assertThat(back.get("day")).isEqualTo(19725);
    assertThat(back.get("at")).isEqualTo(1_700_000_000_123_456L);
    assertThat(back.get("maybe")).isNull();
    GenericRecord in = (GenericRecord) back.get("inner");
    assertThat(in.get("venue").toString()).isEqualTo("XNAS");
    assertThat(in.get("lot")).isNull();
    assertThat(back.get("tags").toString()).isEqualTo("[a, b]");
    assertThat(back.get("attrs").toString()).contains("k").contains("5");
  }
}
