package org.pystore.store.part;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.LogicalType;
import org.apache.avro.Schema;
import org.pystore.store.IndexUnit;
import org.pystore.store.log.Json;

/**
 * The {@code pandas} key-value metadata of a part, in the format pandas documents ("Storing pandas
 * DataFrame objects in Apache Parquet format"), so that {@code pd.read_parquet} restores the index
 * (a DatetimeIndex, or a MultiIndex with key columns) instead of a plain column.
 */
public final class PandasMetadata {
  /** The key under which pandas looks for its metadata. */
  public static final String KEY = "pandas";

  static final String PANDAS_VERSION = "2.2.3";

  private PandasMetadata() {}

  /**
   * The metadata JSON for a schema.
   *
   * @param schema the part's record schema
   * @param indexColumns the index column followed by key columns
   * @param creatorVersion our version, recorded as the creator
   * @return the JSON text
   */
  public static String json(Schema schema, List<String> indexColumns, String creatorVersion) {
    List<Map<String, Object>> columns = new ArrayList<>();
    for (Schema.Field f : schema.getFields()) {
      if (!indexColumns.contains(f.name())) {
        columns.add(column(f));
      }
    }
    for (String name : indexColumns) {
      columns.add(column(schema.getField(name)));
    }
    Map<String, Object> columnIndex = new LinkedHashMap<>();
    columnIndex.put("name", null);
    columnIndex.put("field_name", null);
    columnIndex.put("pandas_type", "unicode");
    columnIndex.put("numpy_type", "object");
    columnIndex.put("metadata", Map.of("encoding", "UTF-8"));
    Map<String, Object> root = new LinkedHashMap<>();
    root.put("index_columns", indexColumns);
    root.put("column_indexes", List.of(columnIndex));
    root.put("columns", columns);
    root.put("creator", Map.of("library", "pystore-connect", "version", creatorVersion));
    root.put("pandas_version", PANDAS_VERSION);
    return new String(Json.bytes(root), java.nio.charset.StandardCharsets.UTF_8);
  }

  private static Map<String, Object> column(Schema.Field f) {
    Schema s = nonNull(f.schema());
    String pandasType;
    String numpyType;
    Object metadata = null;
    LogicalType lt = s.getLogicalType();
    if (IndexUnit.of(s) != null) {
      pandasType = "datetimetz";
      numpyType = "datetime64[ns]";
      metadata = Map.of("timezone", "UTC");
    } else if (lt != null) {
      // decimal, date, time-* and other logical types come back as Python objects
      pandasType = "object";
      numpyType = "object";
    } else {
      switch (s.getType()) {
        case BOOLEAN:
          pandasType = "bool";
          numpyType = "bool";
          break;
        case INT:
          pandasType = "int32";
          numpyType = "int32";
          break;
        case LONG:
          pandasType = "int64";
          numpyType = "int64";
          break;
        case FLOAT:
          pandasType = "float32";
          numpyType = "float32";
          break;
        case DOUBLE:
          pandasType = "float64";
          numpyType = "float64";
          break;
        case STRING:
        case ENUM:
          pandasType = "unicode";
          numpyType = "object";
          break;
        case BYTES:
        case FIXED:
          pandasType = "bytes";
          numpyType = "object";
          break;
        default:
          pandasType = "object";
          numpyType = "object";
          break;
      }
    }
    Map<String, Object> c = new LinkedHashMap<>();
    c.put("name", f.name());
    c.put("field_name", f.name());
    c.put("pandas_type", pandasType);
    c.put("numpy_type", numpyType);
    c.put("metadata", metadata);
    return c;
  }

  /** The non-null branch of a nullable union, or the schema itself. */
  static Schema nonNull(Schema s) {
    if (s.getType() == Schema.Type.UNION) {
      for (Schema branch : s.getTypes()) {
        if (branch.getType() != Schema.Type.NULL) {
          return branch;
        }
      }
    }
    return s;
  }
}
