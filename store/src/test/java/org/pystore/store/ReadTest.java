package org.pystore.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.pystore.store.Ticks.T0;
import static org.pystore.store.Ticks.readAll;
import static org.pystore.store.Ticks.tick;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReadTest {
  static final long DAY = 86_400_000_000_000L;
  static final long HOUR = 3_600_000_000_000L;
  @TempDir Path root;
  Item item;

  @BeforeEach
  void setUp() {
    item = TestStores.open(root, StoreOptions.defaults().withFsync(false)).item("c", "i");
    List<GenericRecord> rows = new ArrayList<>();
    for (int d = 0; d < 5; d++) {
      for (int h = 0; h < 24; h++) {
        rows.add(tick(T0 + d * DAY + h * HOUR, h % 2 == 0 ? "A" : "B", d * 100 + h, h));
      }
    }
    item.write(Ticks.SCHEMA, rows, ItemOptions.defaults(), Map.of(), false);
  }

  @Test
  void rangeIsInclusiveAtBothEnds() {
    Instant from = Instant.parse("2024-01-03T00:00:00Z");
    Instant to = Instant.parse("2024-01-03T05:00:00Z");
    List<GenericRecord> rows = readAll(item, ReadOptions.all().from(from).to(to));
    assertThat(rows).hasSize(6);
    assertThat(rows.get(0).get("ts")).isEqualTo(T0 + DAY);
    assertThat(rows.get(5).get("ts")).isEqualTo(T0 + DAY + 5 * HOUR);
  }

  @Test
  void rangeOutsideDataIsEmpty() {
    assertThat(readAll(item, ReadOptions.all().from(Instant.parse("2030-01-01T00:00:00Z"))))
        .isEmpty();
  }

  @Test
  void projectionKeepsIndexFirst() {
    List<GenericRecord> rows = readAll(item, ReadOptions.all().columns(List.of("price")).limit(3));
    assertThat(rows).hasSize(3);
    assertThat(Schemas.names(rows.get(0).getSchema())).containsExactly("ts", "price");
  }

  @Test
  void filtersApplyToEveryType() {
    assertThat(readAll(item, ReadOptions.all().where(Predicate.parse("price >= 400")))).hasSize(24);
    assertThat(readAll(item, ReadOptions.all().where(Predicate.parse("sym = 'A'")))).hasSize(60);
    assertThat(readAll(item, ReadOptions.all().where(Predicate.parse("size < 2")))).hasSize(10);
    assertThat(
            readAll(
                item,
                ReadOptions.all()
                    .where(Predicate.parse("sym != B"))
                    .where(Predicate.parse("ts > 2024-01-06T20:00:00Z"))))
        .extracting(r -> r.get("size"))
        .containsExactly(22L);
  }

  @Test
  void lastPolicyDecidesBeforeValueFilters() {
    Item last = TestStores.open(root).item("c", "last");
    ItemOptions o =
        ItemOptions.defaults().withDedupe(DedupePolicy.LAST).withKeyColumns(List.of("sym"));
    last.write(Ticks.SCHEMA, List.of(tick(T0, "A", 15, 1)), o, Map.of(), false);
    last.append(List.of(tick(T0, "A", 5, 2)));
    // the latest row for the key has price 5: a filter price > 10 must not resurrect the old one
    assertThat(readAll(last, ReadOptions.all().where(Predicate.parse("price > 10")))).isEmpty();
    assertThat(readAll(last, ReadOptions.all().where(Predicate.parse("price < 10")))).hasSize(1);
  }

  @Test
  void limitStopsEarly() {
    assertThat(readAll(item, ReadOptions.all().limit(7))).hasSize(7);
    assertThat(readAll(item, ReadOptions.all().limit(0))).isEmpty();
  }

  @Test
  void badColumnsAndFiltersAreClearErrors() {
    assertThatThrownBy(() -> readAll(item, ReadOptions.all().columns(List.of("nope"))))
        .isInstanceOf(InvalidDataException.class)
        .hasMessageContaining("nope")
        .hasMessageContaining("price");
    assertThatThrownBy(() -> readAll(item, ReadOptions.all().where(Predicate.parse("price > abc"))))
        .isInstanceOf(InvalidDataException.class)
        .hasMessageContaining("abc");
    assertThatThrownBy(() -> Predicate.parse("price"))
        .isInstanceOf(InvalidDataException.class)
        .hasMessageContaining("COLUMN OP VALUE");
    assertThatThrownBy(
            () ->
                ReadOptions.all()
                    .from(Instant.parse("2024-02-01T00:00:00Z"))
                    .to(Instant.parse("2024-01-01T00:00:00Z")))
        .isInstanceOf(InvalidDataException.class);
    assertThatThrownBy(() -> item.read(ReadOptions.all().atVersion(9)))
        .isInstanceOf(NotFoundException.class)
        .hasMessageContaining("version 9");
  }

  @Test
  void readPinsItsVersionWhileWritersContinue() {
    try (RowReader r = item.read()) {
      item.append(List.of(tick(T0 - DAY, "Z", 1, 1)));
      item.write(
          Ticks.SCHEMA, List.of(tick(T0, "Q", 1, 1)), ItemOptions.defaults(), Map.of(), true);
      int n = 0;
      while (r.hasNext()) {
        assertThat(r.next().get("sym").toString()).isIn("A", "B");
        n++;
      }
      assertThat(n).isEqualTo(120);
      assertThat(r.version()).isZero();
    }
    assertThat(readAll(item)).hasSize(1);
  }

  @Test
  void infoSummarizesTheItem() {
    ItemInfo info = item.info();
    assertThat(info.rows()).isEqualTo(120);
    assertThat(info.parts()).isEqualTo(5);
    assertThat(info.first()).isEqualTo(Instant.parse("2024-01-02T00:00:00Z"));
    assertThat(info.last()).isEqualTo(Instant.parse("2024-01-06T23:00:00Z"));
    assertThat(info.options().bucket()).isEqualTo(Bucketing.DAY);
  }

  @Test
  void bucketsFollowTheConfiguredZoneAndGranularity() {
    Item ny = TestStores.open(root).item("c", "ny");
    // 2024-01-02T03:00Z is still 2024-01-01 in New York
    ny.write(
        Ticks.SCHEMA,
        List.of(tick(T0 + 3 * HOUR, "A", 1, 1), tick(T0 + 6 * HOUR, "A", 1, 1)),
        ItemOptions.defaults().withTimezone("America/New_York"),
        Map.of(),
        false);
    assertThat(ny.state().parts().values())
        .extracting(p -> p.bucket())
        .containsExactlyInAnyOrder("20240101", "20240102");
    Item hourly = TestStores.open(root).item("c", "hourly");
    hourly.write(
        Ticks.SCHEMA,
        readAll(item).subList(0, 5),
        ItemOptions.defaults().withBucket(Bucketing.HOUR),
        Map.of(),
        false);
    assertThat(hourly.state().parts()).hasSize(5);
    Item monthly = TestStores.open(root).item("c", "monthly");
    monthly.write(
        Ticks.SCHEMA,
        readAll(item),
        ItemOptions.defaults().withBucket(Bucketing.MONTH).withCodec(Codec.ZSTD),
        Map.of(),
        false);
    assertThat(monthly.state().parts()).hasSize(1);
    assertThat(readAll(monthly)).hasSize(120);
  }
}
