package org.pystore.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad rows, corrupt parts and corrupt logs: clear errors, nothing lost, nothing half-written. */
class BadInputTest {
  @TempDir Path root;
  Store store;
  Item item;

  @BeforeEach
  void setUp() {
    store = Store.open(root, StoreOptions.defaults().withFsync(false));
    item = store.item("c", "i");
    item.write(Ticks.SCHEMA, Ticks.series(10, 0), ItemOptions.defaults(), Map.of(), false);
  }

  private long stagedFiles() throws Exception {
    Path staging = item.path().resolve("_staging");
    if (!Files.exists(staging)) {
      return 0;
    }
    try (Stream<Path> s = Files.list(staging)) {
      return s.count();
    }
  }

  @Test
  void rowWithoutIndexIsRefusedAndNothingChanges() throws Exception {
    GenericData.Record r = new GenericData.Record(Ticks.SCHEMA);
    r.put("sym", "A");
    r.put("price", 1.0);
    r.put("size", 1L);
    List<GenericRecord> rows = new ArrayList<>(Ticks.series(3, 100));
    rows.add(r);
    assertThatThrownBy(() -> item.append(rows))
        .isInstanceOf(InvalidDataException.class)
        .hasMessageContaining("row 3")
        .hasMessageContaining("index column 'ts'");
    assertThat(item.state().version()).isZero();
    assertThat(stagedFiles()).isZero();
  }

  @Test
  void valueOfWrongTypeIsRefusedNamingTheColumn() throws Exception {
    GenericData.Record r = (GenericData.Record) Ticks.tick(Ticks.T0 + 99, "A", 1, 1);
    r.put("size", "lots");
    assertThatThrownBy(() -> item.append(List.of(r)))
        .isInstanceOf(InvalidDataException.class)
        .hasMessageContaining("column 'size'")
        .hasMessageContaining("String");
    assertThat(item.state().version()).isZero();
    assertThat(Ticks.readAll(item)).hasSize(10);
    assertThat(stagedFiles()).isZero();
  }

  @Test
  void corruptPartIsReportedAndLeftInPlace() throws Exception {
    Path part;
    try (Stream<Path> s = Files.list(item.path())) {
      part = s.filter(p -> p.toString().endsWith(".parquet")).findFirst().orElseThrow();
    }
    byte[] garbage = "not parquet at all".getBytes();
    Files.write(part, garbage);
    assertThatThrownBy(() -> Ticks.readAll(item))
        .isInstanceOf(CorruptPartException.class)
        .hasMessageContaining(part.getFileName().toString())
        .hasMessageContaining("restore");
    assertThat(Files.readAllBytes(part)).isEqualTo(garbage);
  }

  @Test
  void missingPartIsReported() throws Exception {
    try (Stream<Path> s = Files.list(item.path())) {
      Files.delete(s.filter(p -> p.toString().endsWith(".parquet")).findFirst().orElseThrow());
    }
    assertThatThrownBy(() -> Ticks.readAll(item))
        .isInstanceOf(CorruptPartException.class)
        .hasMessageContaining("missing");
  }

  @Test
  void corruptLogEntryIsReported() throws Exception {
    item.append(Ticks.series(2, 100));
    Files.writeString(item.path().resolve("_log/00000000000000000001.json"), "{\"truncated");
    Item fresh = Store.open(root).item("c", "i");
    assertThatThrownBy(fresh::state)
        .isInstanceOf(CorruptLogException.class)
        .hasMessageContaining("00000000000000000001.json")
        .hasMessageContaining("backup");
  }

  @Test
  void missingLogEntryIsReported() throws Exception {
    item.append(Ticks.series(2, 100));
    item.append(Ticks.series(2, 200));
    Files.delete(item.path().resolve("_log/00000000000000000001.json"));
    Item fresh = Store.open(root).item("c", "i");
    assertThatThrownBy(fresh::state)
        .isInstanceOf(CorruptLogException.class)
        .hasMessageContaining("missing");
  }

  @Test
  void storePathThatIsAFileIsRefused() throws Exception {
    Path file = Files.writeString(root.resolve("plain.txt"), "x");
    assertThatThrownBy(() -> Store.open(file))
        .isInstanceOf(InvalidDataException.class)
        .hasMessageContaining("is a file");
  }

  @Test
  void schemaWithoutTimestampIsRefused() {
    org.apache.avro.Schema s =
        org.apache.avro.SchemaBuilder.record("X").fields().requiredLong("ts").endRecord();
    assertThatThrownBy(
            () -> store.item("c", "x").write(s, List.of(), ItemOptions.defaults(), Map.of(), false))
        .isInstanceOf(IncompatibleSchemaException.class)
        .hasMessageContaining("timestamp");
  }
}
