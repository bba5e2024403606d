package org.pystore.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.pystore.store.Ticks.T0;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pystore.store.log.Json;
import org.pystore.store.part.PandasMetadata;
import org.pystore.store.part.PartReader;

/** DuckDB, an independent Parquet reader, reads every item directory we write and agrees. */
class DuckDbInteropTest {
  @TempDir Path root;

  /** pandas_type values pandas documents for the {@code pandas} metadata. */
  static final Set<String> PANDAS_TYPES =
      Set.of(
          "bool",
          "int8",
          "int16",
          "int32",
          "int64",
          "uint8",
          "uint16",
          "uint32",
          "uint64",
          "float16",
          "float32",
          "float64",
          "datetime",
          "datetimetz",
          "timedelta",
          "unicode",
          "bytes",
          "categorical",
          "object");

  @Test
  void duckDbAgreesWithOurRead() throws Exception {
    Store store = Store.open(root, StoreOptions.defaults().withFsync(false));
    Item item = store.item("ticks", "MSFT");
    Random rnd = new Random(7);
    List<GenericRecord> rows = new ArrayList<>();
    for (int i = 0; i < 5000; i++) {
      // spread over three days, nanosecond offsets, random order
      long ts = T0 + (long) (rnd.nextDouble() * 3 * 86_400e9) + rnd.nextInt(1000);
      rows.add(
          Ticks.tick(ts, "MSFT", Math.round(rnd.nextDouble() * 10000) / 100.0, rnd.nextInt(500)));
    }
    item.write(Ticks.SCHEMA, rows.subList(0, 2000), ItemOptions.defaults(), Map.of(), false);
    item.append(rows.subList(2000, 3500));
    item.append(rows.subList(3500, 5000));

    long count = 0;
    double sumPrice = 0;
    long sumSize = 0;
    long minTs = Long.MAX_VALUE;
    long maxTs = Long.MIN_VALUE;
    List<Long> ours = new ArrayList<>();
    for (GenericRecord r : Ticks.readAll(item)) {
      count++;
      sumPrice += (Double) r.get("price");
      sumSize += (Long) r.get("size");
      long ts = (Long) r.get("ts");
      minTs = Math.min(minTs, ts);
      maxTs = Math.max(maxTs, ts);
      ours.add(ts);
    }
    assertThat(count).isEqualTo(5000);

    String glob = item.path().toString().replace('\\', '/') + "/*.parquet";
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:");
        Statement st = c.createStatement()) {
      st.execute("SET threads=2");
      try (ResultSet rs =
          st.executeQuery(
              "SELECT count(*), sum(price), sum(size), min(epoch_ns(ts)), max(epoch_ns(ts)) FROM read_parquet('"
                  + glob
                  + "')")) {
        rs.next();
        assertThat(rs.getLong(1)).isEqualTo(count);
        assertThat(rs.getDouble(2)).isCloseTo(sumPrice, org.assertj.core.data.Offset.offset(1e-6));
        assertThat(rs.getLong(3)).isEqualTo(sumSize);
        // DuckDB reads UTC nanosecond timestamps as TIMESTAMPTZ, which holds microseconds
        assertThat(rs.getLong(4)).isEqualTo(Math.floorDiv(minTs, 1000) * 1000);
        assertThat(rs.getLong(5)).isEqualTo(Math.floorDiv(maxTs, 1000) * 1000);
      }
      List<Long> theirs = new ArrayList<>();
      try (ResultSet rs =
          st.executeQuery("SELECT epoch_ns(ts) FROM read_parquet('" + glob + "') ORDER BY ts")) {
        while (rs.next()) {
          theirs.add(rs.getLong(1));
        }
      }
      assertThat(theirs).isEqualTo(ours.stream().map(t -> Math.floorDiv(t, 1000) * 1000).toList());
      try (ResultSet rs =
          st.executeQuery("SELECT typeof(ts) FROM read_parquet('" + glob + "') LIMIT 1")) {
        rs.next();
        assertThat(rs.getString(1)).containsIgnoringCase("TIMESTAMP");
      }
    }
  }

  @Test
  void pandasMetadataFollowsPandasDocumentedFormat() throws Exception {
    Item item = Store.open(root).item("ticks", "KEYED");
    item.write(
        Ticks.SCHEMA,
        Ticks.series(10, 0),
        ItemOptions.defaults().withKeyColumns(List.of("sym")),
        Map.of(),
        false);
    Path part;
    try (Stream<Path> s = Files.list(item.path())) {
      part = s.filter(p -> p.toString().endsWith(".parquet")).findFirst().orElseThrow();
    }
    String json = PartReader.footer(part).metadata().getKeyValueMetaData().get(PandasMetadata.KEY);
    JsonNode m = Json.MAPPER.readTree(json);
    assertThat(m.get("index_columns").toString()).isEqualTo("[\"ts\",\"sym\"]");
    assertThat(m.get("column_indexes").isArray()).isTrue();
    assertThat(m.get("pandas_version").asText()).matches("\\d+\\.\\d+\\.\\d+");
    assertThat(m.get("creator").get("library").asText()).isEqualTo("pystore-connect");
    List<String> names = new ArrayList<>();
    for (JsonNode col : m.get("columns")) {
      assertThat(
              col.has("name")
                  && col.has("field_name")
                  && col.has("pandas_type")
                  && col.has("numpy_type")
                  && col.has("metadata"))
          .isTrue();
      assertThat(PANDAS_TYPES).contains(col.get("pandas_type").asText());
      names.add(col.get("name").asText());
      if (col.get("name").asText().equals("ts")) {
        assertThat(col.get("pandas_type").asText()).isEqualTo("datetimetz");
        assertThat(col.get("numpy_type").asText()).isEqualTo("datetime64[ns]");
        assertThat(col.get("metadata").get("timezone").asText()).isEqualTo("UTC");
      }
      if (col.get("name").asText().equals("price")) {
        assertThat(col.get("pandas_type").asText()).isEqualTo("float64");
      }
    }
    // every Parquet column is described, index columns included
    assertThat(names).containsExactlyInAnyOrder("ts", "sym", "price", "size");
  }
}
