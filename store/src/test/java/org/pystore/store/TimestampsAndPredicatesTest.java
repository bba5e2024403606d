package org.pystore.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TimestampsAndPredicatesTest {
  @TempDir Path root;

  @ParameterizedTest
  @CsvSource({
    "2024-01-02T09:30:00.123456789Z, 2024-01-02T09:30:00.123456789Z",
    "2024-01-02T09:30:00Z, 2024-01-02T09:30:00Z",
    "2024-01-02T09:30Z, 2024-01-02T09:30:00Z",
    "2024-01-02 09:30:00.5, 2024-01-02T09:30:00.500Z",
    "2024-01-02T10:30:00+01:00, 2024-01-02T09:30:00Z",
    "2024-01-02T04:30:00-05:00, 2024-01-02T09:30:00Z",
    "2024-01-02, 2024-01-02T00:00:00Z",
    "2024-01-02t09:30:00z, 2024-01-02T09:30:00Z"
  })
  void isoTimestamps(String text, String expected) {
    assertThat(Timestamps.parse(text)).isEqualTo(Instant.parse(expected));
  }

  @Test
  void epochTimestampsInEveryUnit() {
    assertThat(Timestamps.parseEpoch("1704187800", "s"))
        .isEqualTo(Instant.parse("2024-01-02T09:30:00Z"));
    assertThat(Timestamps.parseEpoch("1704187800.25", "s"))
        .isEqualTo(Instant.parse("2024-01-02T09:30:00.250Z"));
    assertThat(Timestamps.parseEpoch("1704187800001", "ms"))
        .isEqualTo(Instant.parse("2024-01-02T09:30:00.001Z"));
    assertThat(Timestamps.parseEpoch("1704187800000002", "us"))
        .isEqualTo(Instant.parse("2024-01-02T09:30:00.000002Z"));
    assertThat(Timestamps.parseEpoch("-1", "ns"))
        .isEqualTo(Instant.parse("1969-12-31T23:59:59.999999999Z"));
    assertThatThrownBy(() -> Timestamps.parseEpoch("abc", "ms"))
        .isInstanceOf(InvalidDataException.class)
        .hasMessageContaining("epoch");
    assertThatThrownBy(() -> Timestamps.parseEpoch("1", "days"))
        .isInstanceOf(InvalidDataException.class)
        .hasMessageContaining("unit");
    assertThatThrownBy(() -> Timestamps.parse("yesterday"))
        .isInstanceOf(InvalidDataException.class)
        .hasMessageContaining("ISO-8601");
  }

  @Test
  void indexUnitsConvertBothWays() {
    Instant t = Instant.parse("2024-01-02T09:30:00.123456789Z");
    for (IndexUnit u : IndexUnit.values()) {
      long v = u.fromInstant(t);
      assertThat(u.toInstant(v)).isBeforeOrEqualTo(t).isAfter(t.minusMillis(1));
      assertThat(IndexUnit.of(u.schema())).isEqualTo(u);
      assertThat(u.fromNanos(u.toNanos(v))).isEqualTo(v);
    }
    assertThat(IndexUnit.MILLIS.id()).isEqualTo("ms");
    assertThat(IndexUnit.of(Schema.create(Schema.Type.LONG))).isNull();
    assertThatThrownBy(() -> IndexUnit.MILLIS.toNanos(Long.MAX_VALUE / 10))
        .isInstanceOf(InvalidDataException.class)
        .hasMessageContaining("1677");
  }

  static final Schema TYPED =
      SchemaBuilder.record("T")
          .fields()
          .name("at")
          .type(IndexUnit.MICROS.schema())
          .noDefault()
          .requiredInt("i")
          .requiredFloat("f")
          .requiredBoolean("b")
          .optionalString("s")
          .requiredBytes("raw")
          .endRecord();

  @Test
  void filtersOnEveryFilterableTypeAndMicrosIndex() {
    Item item = TestStores.open(root).item("c", "typed");
    List<GenericRecord> rows = new ArrayList<>();
    long base = IndexUnit.MICROS.fromInstant(Instant.parse("2024-01-02T00:00:00Z"));
    for (int k = 0; k < 10; k++) {
      GenericData.Record r = new GenericData.Record(TYPED);
      r.put("at", base + k * 1_000_000L);
      r.put("i", k);
      r.put("f", k / 2f);
      r.put("b", k % 2 == 0);
      r.put("s", k % 3 == 0 ? null : "v" + k);
      r.put("raw", java.nio.ByteBuffer.wrap(new byte[] {(byte) k}));
      rows.add(r);
    }
    item.write(TYPED, rows, ItemOptions.defaults(), Map.of(), false);
    assertThat(count(item, "i >= 7")).isEqualTo(3);
    assertThat(count(item, "i != 3")).isEqualTo(9);
    assertThat(count(item, "f < 1.5")).isEqualTo(3);
    assertThat(count(item, "b = true")).isEqualTo(5);
    assertThat(count(item, "b != true")).isEqualTo(5);
    assertThat(count(item, "s <= v5")).isEqualTo(4); // v1 v2 v4 v5; nulls never match
    assertThat(count(item, "s != v1")).isEqualTo(5);
    assertThat(count(item, "at > 2024-01-02T00:00:04.5Z")).isEqualTo(5);
    assertThat(count(item, "i == 2")).isEqualTo(1);
    assertThat(count(item, "i <> 2")).isEqualTo(9);
    assertThat(
            Ticks.readAll(
                    item,
                    ReadOptions.all()
                        .from(Instant.parse("2024-01-02T00:00:01.0000005Z"))
                        .to(Instant.parse("2024-01-02T00:00:03.0000005Z")))
                .size())
        .isEqualTo(2); // micros index: from rounds up, to rounds down
    assertThatThrownBy(() -> count(item, "raw = x"))
        .isInstanceOf(InvalidDataException.class)
        .hasMessageContaining("not supported");
    assertThatThrownBy(() -> count(item, "b = maybe"))
        .isInstanceOf(InvalidDataException.class)
        .hasMessageContaining("maybe");
    assertThatThrownBy(() -> count(item, "nope = 1"))
        .isInstanceOf(InvalidDataException.class)
        .hasMessageContaining("no column");
  }

  private static int count(Item item, String filter) {
    return Ticks.readAll(item, ReadOptions.all().where(Predicate.parse(filter))).size();
  }

  @Test
  void optionsParseAndRefuseUnknownNames() {
    assertThat(DedupePolicy.parse(" Last ")).isEqualTo(DedupePolicy.LAST);
    assertThat(Bucketing.parse("HOUR")).isEqualTo(Bucketing.HOUR);
    assertThat(Codec.parse("zstd")).isEqualTo(Codec.ZSTD);
    assertThat(DedupePolicy.LAST.id()).isEqualTo("last");
    assertThat(Codec.ZSTD.id()).isEqualTo("zstd");
    assertThatThrownBy(() -> DedupePolicy.parse("x"))
        .hasMessageContaining("exact, last, first, none");
    assertThatThrownBy(() -> Bucketing.parse("week"))
        .hasMessageContaining("day, hour, month, none");
    assertThatThrownBy(() -> Codec.parse("lzo")).hasMessageContaining("snappy");
    assertThatThrownBy(() -> ItemOptions.defaults().withTimezone("Mars/Olympus"))
        .isInstanceOf(InvalidDataException.class)
        .hasMessageContaining("IANA");
    assertThatThrownBy(() -> StoreOptions.defaults().withCheckpointInterval(0))
        .isInstanceOf(InvalidDataException.class);
    assertThatThrownBy(() -> ReadOptions.all().atVersion(-1))
        .isInstanceOf(InvalidDataException.class);
    assertThatThrownBy(() -> ReadOptions.all().limit(-5)).isInstanceOf(InvalidDataException.class);
    assertThatThrownBy(() -> ReadOptions.all().atVersion(1).atSnapshot("s"))
        .isInstanceOf(InvalidDataException.class);
  }

  @Test
  void monthAndNoneBucketsHaveTheirBounds() {
    Bucketing.Bucket m = Bucketing.MONTH.bucketOf(Ticks.T0, java.time.ZoneOffset.UTC);
    assertThat(m.label()).isEqualTo("202401");
    assertThat(m.contains(Ticks.T0)).isTrue();
    assertThat(Bucketing.NONE.bucketOf(Ticks.T0, java.time.ZoneOffset.UTC).label())
        .isEqualTo("all");
    assertThat(Bucketing.HOUR.bucketOf(Ticks.T0 + 1, java.time.ZoneOffset.UTC).label())
        .isEqualTo("2024010200");
  }
}
