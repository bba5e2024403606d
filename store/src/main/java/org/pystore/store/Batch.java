package org.pystore.store;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;

/**
 * Rows of one write, checked, sorted by (index, key columns) keeping arrival order among equal
 * keys, and cut into runs that each lie inside one time bucket.
 */
final class Batch {
  final Schema schema;
  final List<GenericRecord> rows;
  final List<Run> runs;

  /**
   * One future part.
   *
   * @param from first row
   * @param to one past the last row
   * @param bucket bucket label
   * @param min smallest index
   * @param max largest index
   */
  record Run(int from, int to, String bucket, long min, long max) {}

  private Batch(Schema schema, List<GenericRecord> rows, List<Run> runs) {
    this.schema = schema;
    this.rows = rows;
    this.runs = runs;
  }

  static Batch prepare(
      Collection<? extends GenericRecord> input, Schema schema, ItemOptions options, String label) {
    String indexColumn = options.indexColumn();
    Schema.Field indexField = schema.getField(indexColumn);
    IndexUnit unit = IndexUnit.of(indexField.schema());
    int indexPos = indexField.pos();
    int n = input.size();
    List<GenericRecord> rows = new ArrayList<>(n);
    long[] index = new long[n];
    boolean sorted = true;
    int i = 0;
    Schema seen = schema; // the last schema object found equal: rows share a few such objects
    for (GenericRecord r : input) {
      if (r == null) {
        throw new InvalidDataException("row " + i + " for '" + label + "' is null");
      }
      if (r.getSchema() != seen && !r.getSchema().equals(schema)) {
        throw new InvalidDataException(
            "row "
                + i
                + " for '"
                + label
                + "' has another schema than row 0; send rows of one schema per write");
      }
      seen = r.getSchema();
      Object v = r.get(indexPos);
      if (!(v instanceof Long)) {
        throw new InvalidDataException(
            "row "
                + i
                + " for '"
                + label
                + "' "
                + (v == null
                    ? "has no value in index column '" + indexColumn + "'"
                    : "holds a "
                        + v.getClass().getSimpleName()
                        + " in index column '"
                        + indexColumn
                        + "'; it must be a long in "
                        + unit.logicalTypeName()));
      }
      index[i] = (Long) v;
      unit.toNanos(index[i]);
      if (i > 0 && index[i] < index[i - 1]) {
        sorted = false;
      }
      rows.add(r);
      i++;
    }
    List<Schema.Field> keys = new ArrayList<>();
    for (String k : options.keyColumns()) {
      keys.add(schema.getField(k));
    }
    if (!sorted || !keys.isEmpty()) {
      Integer[] order = new Integer[n];
      for (int j = 0; j < n; j++) {
        order[j] = j;
      }
      Arrays.sort(
          order,
          (a, b) -> {
            int c = Long.compare(index[a], index[b]);
            for (int k = 0; c == 0 && k < keys.size(); k++) {
              Schema.Field f = keys.get(k);
              c =
                  GenericData.get()
                      .compare(rows.get(a).get(f.pos()), rows.get(b).get(f.pos()), f.schema());
            }
            return c;
          });
      List<GenericRecord> sortedRows = new ArrayList<>(n);
      long[] sortedIndex = new long[n];
      for (int j = 0; j < n; j++) {
        sortedRows.add(rows.get(order[j]));
        sortedIndex[j] = index[order[j]];
      }
      return new Batch(schema, sortedRows, cut(sortedIndex, unit, options));
    }
    return new Batch(schema, rows, cut(index, unit, options));
  }

  /**
   * Rows of one run that the dedupe policy drops within the run itself (rows are sorted by index
   * and key columns, so such rows are neighbours or share an index).
   */
  long duplicates(Run run, ItemOptions options) {
    if (options.dedupe() == DedupePolicy.NONE) {
      return 0;
    }
    int indexPos = schema.getField(options.indexColumn()).pos();
    List<Schema.Field> keys = new ArrayList<>();
    for (String k : options.keyColumns()) {
      keys.add(schema.getField(k));
    }
    long dropped = 0;
    int groupStart = run.from();
    java.util.Set<GenericRecord> seen = null;
    for (int i = run.from() + 1; i < run.to(); i++) {
      GenericRecord prev = rows.get(i - 1);
      GenericRecord r = rows.get(i);
      if (!r.get(indexPos).equals(prev.get(indexPos))) {
        groupStart = i;
        seen = null;
        continue;
      }
      if (options.dedupe() == DedupePolicy.EXACT) {
        if (seen == null) {
          seen = new java.util.HashSet<>(rows.subList(groupStart, i));
        }
        dropped += seen.add(r) ? 0 : 1;
      } else {
        boolean sameKey = true;
        for (Schema.Field f : keys) {
          sameKey &= GenericData.get().compare(r.get(f.pos()), prev.get(f.pos()), f.schema()) == 0;
        }
        dropped += sameKey ? 1 : 0;
      }
    }
    return dropped;
  }

  private static List<Run> cut(long[] index, IndexUnit unit, ItemOptions options) {
    List<Run> runs = new ArrayList<>();
    int start = 0;
    while (start < index.length) {
      Bucketing.Bucket b = options.bucket().bucketOf(unit.toNanos(index[start]), options.zone());
      int end = start + 1;
      while (end < index.length && b.contains(unit.toNanos(index[end]))) {
        end++;
      }
      runs.add(new Run(start, end, b.label(), index[start], index[end - 1]));
      start = end;
    }
    return runs;
  }
}
