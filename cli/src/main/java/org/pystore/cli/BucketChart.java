package org.pystore.cli;

import java.nio.charset.Charset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.pystore.store.log.PartInfo;

/**
 * Rows and parts per time bucket of an item, as bars on a terminal ({@code pystore info --chart}):
 * where the data lies in time and which buckets compaction would merge, at a glance.
 */
final class BucketChart {
  /** Longest bar, in characters. */
  static final int BAR = 40;

  /** One bucket (or a run of neighbouring buckets when there are too many to show). */
  record Row(String bucket, long rows, int parts, long bytes) {}

  private BucketChart() {}

  /** Rows, parts and bytes per bucket label, in bucket order. */
  static List<Row> buckets(Iterable<PartInfo> parts) {
    Map<String, long[]> by = new TreeMap<>(); // bucket labels sort in time order
    for (PartInfo p : parts) {
      long[] a = by.computeIfAbsent(p.bucket(), k -> new long[3]);
      a[0] += p.rows();
      a[1]++;
      a[2] += p.bytes();
    }
    List<Row> out = new ArrayList<>();
    for (Map.Entry<String, long[]> e : by.entrySet()) {
      long[] a = e.getValue();
      out.add(new Row(e.getKey(), a[0], (int) a[1], a[2]));
    }
    return out;
  }

  /** At most {@code lines} rows: neighbouring buckets merged into runs labelled first..last. */
  static List<Row> fit(List<Row> rows, int lines) {
    if (rows.size() <= lines) {
      return rows;
    }
    int per = (rows.size() + lines - 1) / lines;
    List<Row> out = new ArrayList<>();
    for (int i = 0; i < rows.size(); i += per) {
      List<Row> run = rows.subList(i, Math.min(rows.size(), i + per));
      long r = 0;
      long b = 0;
      int p = 0;
      for (Row x : run) {
        r += x.rows();
        p += x.parts();
        b += x.bytes();
      }
      String label =
          run.size() == 1
              ? run.get(0).bucket()
              : run.get(0).bucket() + ".." + run.get(run.size() - 1).bucket();
      out.add(new Row(label, r, p, b));
    }
    return out;
  }

  /** The chart's lines: label, bar scaled to the fullest bucket, rows, parts. */
  static List<String> lines(List<Row> rows, boolean unicode) {
    long most = 1;
    int labelWidth = 6;
    for (Row r : rows) {
      most = Math.max(most, r.rows());
      labelWidth = Math.max(labelWidth, r.bucket().length());
    }
    char full = unicode ? '\u2588' : '#';
    List<String> out = new ArrayList<>();
    for (Row r : rows) {
      int len = (int) Math.round((double) r.rows() * BAR / most);
      if (len == 0 && r.rows() > 0) {
        len = 1; // a bucket with rows never looks empty
      }
      out.add(
          String.format(
              Locale.ROOT,
              "  %-" + labelWidth + "s  %-" + BAR + "s %,12d rows %5d part%s",
              r.bucket(),
              String.valueOf(full).repeat(len),
              r.rows(),
              r.parts(),
              r.parts() == 1 ? "" : "s"));
    }
    return out;
  }

  /** The bucket rows as JSON-ready maps. */
  static List<Map<String, Object>> json(List<Row> rows) {
    List<Map<String, Object>> out = new ArrayList<>();
    for (Row r : rows) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("bucket", r.bucket());
      m.put("rows", r.rows());
      m.put("parts", r.parts());
      m.put("bytes", r.bytes());
      out.add(m);
    }
    return out;
  }

  /** Whether standard output can show block characters (else bars are drawn with '#'). */
  static boolean unicodeOut() {
    for (String key : new String[] {"stdout.encoding", "sun.stdout.encoding", "native.encoding"}) {
      String name = System.getProperty(key);
      if (name != null) {
        try {
          return Charset.forName(name).newEncoder().canEncode('\u2588');
        } catch (IllegalArgumentException e) {
          return false;
        }
      }
    }
    return Charset.defaultCharset().newEncoder().canEncode('\u2588');
  }
}
