package org.pystore.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.pystore.store.Ticks.T0;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SchemaEvolutionTest {
  @TempDir Path root;
  Item item;

  static final Schema V1 =
      SchemaBuilder.record("T")
          .fields()
          .name("ts")
          .type(IndexUnit.NANOS.schema())
          .noDefault()
          .requiredInt("qty")
          .requiredFloat("px")
          .optionalString("note")
          .endRecord();

  @BeforeEach
  void setUp() {
    item = TestStores.open(root, StoreOptions.defaults().withFsync(false)).item("c", "i");
    GenericData.Record r = new GenericData.Record(V1);
    r.put("ts", T0);
    r.put("qty", 7);
    r.put("px", 1.5f);
    r.put("note", "first");
    item.write(V1, List.of(r), ItemOptions.defaults(), Map.of(), false);
  }

  @Test
  void newColumnsAndWideningAreUnifiedOnRead() {
    Schema v2 =
        SchemaBuilder.record("T")
            .fields()
            .name("ts")
            .type(IndexUnit.NANOS.schema())
            .noDefault()
            .requiredLong("qty")
            .requiredDouble("px")
            .requiredString("venue")
            .endRecord();
    GenericData.Record r = new GenericData.Record(v2);
    r.put("ts", T0 + 1);
    r.put("qty", 5_000_000_000L);
    r.put("px", 2.25);
    r.put("venue", "XNAS");
    item.append(List.of(r));

    List<GenericRecord> rows = Ticks.readAll(item);
    assertThat(rows).hasSize(2);
    assertThat(rows.get(0).get("qty")).isEqualTo(7L);
    assertThat(rows.get(0).get("px")).isEqualTo(1.5);
    assertThat(rows.get(0).get("venue")).isNull();
    assertThat(rows.get(0).get("note").toString()).isEqualTo("first");
    assertThat(rows.get(1).get("qty")).isEqualTo(5_000_000_000L);
    assertThat(rows.get(1).get("venue").toString()).isEqualTo("XNAS");
    assertThat(rows.get(1).get("note")).isNull();
    Schema unified = item.state().schema();
    assertThat(Schemas.nonNull(unified.getField("qty").schema()).getType())
        .isEqualTo(Schema.Type.LONG);
    assertThat(Schemas.isNullable(unified.getField("venue").schema())).isTrue();
    // an older version still reads in its own schema
    assertThat(Ticks.readAll(item, ReadOptions.all().atVersion(0)).get(0).get("qty")).isEqualTo(7);
  }

  @Test
  void narrowerRowsAreAcceptedAndWidenedOnRead() {
    Schema longQty =
        SchemaBuilder.record("T")
            .fields()
            .name("ts")
            .type(IndexUnit.NANOS.schema())
            .noDefault()
            .requiredLong("qty")
            .requiredFloat("px")
            .endRecord();
    GenericData.Record r = new GenericData.Record(longQty);
    r.put("ts", T0 + 1);
    r.put("qty", 1L);
    r.put("px", 1f);
    item.append(List.of(r));
    GenericData.Record back = new GenericData.Record(V1);
    back.put("ts", T0 + 2);
    back.put("qty", 2);
    back.put("px", 2f);
    item.append(List.of(back));
    assertThat(Ticks.readAll(item)).extracting(x -> x.get("qty")).containsExactly(7L, 1L, 2L);
  }

  @Test
  void incompatibleChangeIsRefusedNamingColumnAndTypes() {
    Schema bad =
        SchemaBuilder.record("T")
            .fields()
            .name("ts")
            .type(IndexUnit.NANOS.schema())
            .noDefault()
            .requiredString("qty")
            .requiredFloat("px")
            .endRecord();
    GenericData.Record r = new GenericData.Record(bad);
    r.put("ts", T0 + 1);
    r.put("qty", "seven");
    r.put("px", 1f);
    assertThatThrownBy(() -> item.append(List.of(r)))
        .isInstanceOf(IncompatibleSchemaException.class)
        .hasMessageContaining("'qty'")
        .hasMessageContaining("int")
        .hasMessageContaining("string");
    assertThat(item.state().version()).isZero();
    assertThat(Ticks.readAll(item)).hasSize(1);
  }

  @Test
  void missingRequiredColumnIsRefused() {
    Schema noPx =
        SchemaBuilder.record("T")
            .fields()
            .name("ts")
            .type(IndexUnit.NANOS.schema())
            .noDefault()
            .requiredInt("qty")
            .endRecord();
    GenericData.Record r = new GenericData.Record(noPx);
    r.put("ts", T0 + 1);
    r.put("qty", 1);
    assertThatThrownBy(() -> item.append(List.of(r)))
        .isInstanceOf(IncompatibleSchemaException.class)
        .hasMessageContaining("'px'")
        .hasMessageContaining("required");
  }

  @Test
  void missingNullableColumnReadsNull() {
    Schema noNote =
        SchemaBuilder.record("T")
            .fields()
            .name("ts")
            .type(IndexUnit.NANOS.schema())
            .noDefault()
            .requiredInt("qty")
            .requiredFloat("px")
            .endRecord();
    GenericData.Record r = new GenericData.Record(noNote);
    r.put("ts", T0 + 1);
    r.put("qty", 1);
    r.put("px", 1f);
    item.append(List.of(r));
    assertThat(Ticks.readAll(item))
        .extracting(x -> x.get("note") == null ? null : x.get("note").toString())
        .containsExactly("first", null);
  }

  @Test
  void otherIndexUnitIsRefused() {
    Schema millis =
        SchemaBuilder.record("T")
            .fields()
            .name("ts")
            .type(IndexUnit.MILLIS.schema())
            .noDefault()
            .requiredInt("qty")
            .requiredFloat("px")
            .endRecord();
    GenericData.Record r = new GenericData.Record(millis);
    r.put("ts", 1L);
    r.put("qty", 1);
    r.put("px", 1f);
    assertThatThrownBy(() -> item.append(List.of(r)))
        .isInstanceOf(IncompatibleSchemaException.class)
        .hasMessageContaining("timestamp-nanos");
  }
}
