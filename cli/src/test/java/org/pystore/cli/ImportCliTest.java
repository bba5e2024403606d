package org.pystore.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.io.LocalOutputFile;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Types;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code pystore import} on a PyStore item as dask writes it (see PyStoreImportTest for more). */
class ImportCliTest {
  @TempDir Path dir;

  private final CliTest cli = new CliTest();

  @BeforeEach
  void share() {
    cli.dir = dir;
  }

  private static final MessageType SCHEMA =
      Types.buildMessage()
          .optional(PrimitiveTypeName.DOUBLE)
          .named("close")
          .optional(PrimitiveTypeName.INT64)
          .as(LogicalTypeAnnotation.timestampType(false, LogicalTypeAnnotation.TimeUnit.NANOS))
          .named("Date")
          .named("schema");

  private static final String PANDAS =
      "{\"index_columns\": [\"Date\"], \"columns\": [{\"name\": \"Date\", \"field_name\":"
          + " \"Date\"}], \"creator\": {\"library\": \"pyarrow\"}}";

  private static void part(Path file, long... seconds) throws Exception {
    Files.createDirectories(file.getParent());
    try (ParquetWriter<Group> w =
        ExampleParquetWriter.builder(new LocalOutputFile(file))
            .withConf(new PlainParquetConfiguration())
            .withType(SCHEMA)
            .withExtraMetaData(Map.of("pandas", PANDAS))
            .build()) {
      SimpleGroupFactory f = new SimpleGroupFactory(SCHEMA);
      for (long s : seconds) {
        w.write(f.newGroup().append("close", s * 0.5).append("Date", s * 1_000_000_000L));
      }
    }
  }

  /** A PyStore item as pyarrow writes it: two parts, the second unsorted. */
  static void pyStoreItem(Path item) throws Exception {
    part(item.resolve("part.0.parquet"), 1_700_000_000L, 1_700_000_001L);
    part(item.resolve("part.1.parquet"), 1_700_000_003L, 1_700_000_002L);
  }

  @Test
  void adoptsAPyStoreItemReportsLaterFilesAndAdoptsThemToo() throws Exception {
    Path item = dir.resolve("store/stocks/AAPL");
    pyStoreItem(item);

    CliTest.Run before = cli.run("info", "stocks/AAPL");
    assertThat(before.code()).isEqualTo(1);
    assertThat(before.err()).contains("holds PyStore files").contains("pystore import stocks/AAPL");

    CliTest.Run dry = cli.run("import", "stocks", "--dry-run");
    assertThat(dry.code()).as(dry.err()).isZero();
    assertThat(dry.out()).contains("stocks/AAPL: would import 4 rows from 2 PyStore files");
    assertThat(item.resolve("_log")).doesNotExist();

    CliTest.Run r = cli.run("import");
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out())
        .contains("stocks/AAPL: imported 4 rows from 2 PyStore files into 2 parts as version 0")
        .contains("unsorted (sorted now): [part.1.parquet]");
    assertThat(r.err()).contains("part.0.parquet, 2 rows").contains("part.1.parquet, 2 rows");
    assertThat(cli.run("read", "stocks/AAPL").out().lines().count()).isEqualTo(5); // header + 4

    part(item.resolve("part.2.parquet"), 1_700_000_010L); // PyStore appends behind our back
    CliTest.Run info = cli.run("info", "stocks/AAPL");
    assertThat(info.out())
        .contains("WARNING")
        .contains("part.2.parquet")
        .contains("pystore import");
    CliTest.Run again = cli.run("import", "stocks/AAPL");
    assertThat(again.out()).contains("adopted 1 rows from 1 PyStore files");
    assertThat(cli.run("read", "stocks/AAPL").out().lines().count()).isEqualTo(6);
    assertThat(cli.run("import", "stocks/AAPL").out()).contains("nothing new to import");
    assertThat(cli.run("info", "stocks/AAPL").out()).doesNotContain("WARNING");
  }

  @Test
  void badInputFailsWithWhatToDo() throws Exception {
    CliTest.Run unit = cli.run("import", "--epoch-unit", "hours");
    assertThat(unit.code()).isEqualTo(2);
    assertThat(unit.err()).contains("use one of s, ms, us, ns");
    Files.createDirectories(dir.resolve("store/stocks/EMPTY"));
    CliTest.Run empty = cli.run("import", "stocks/EMPTY");
    assertThat(empty.code()).isEqualTo(1);
    assertThat(empty.err()).contains("no Parquet files").contains("is it a PyStore item?");
    assertThat(cli.run("import", "nosuch").err()).contains("nosuch");
    assertThat(List.of(cli.run("import", "nosuch").code())).containsExactly(1);
  }
}
