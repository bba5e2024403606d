package org.pystore.cli;

import java.util.Arrays;

/**
 * Reduces a time series to what a chart can show, in one pass and bounded memory: up to {@code 2 *
 * buckets} rows are kept as they are; past that, rows go into at most {@code buckets} equal time
 * buckets (twice as wide whenever the series outgrows them, so the range need not be known up
 * front) and each column keeps its smallest and largest value per bucket with the time of each, so
 * that spikes survive downsampling. Where the series has a gap (no rows for much longer than its
 * usual spacing), the output holds a break ({@link Double#NaN}) so that the chart does not draw a
 * line across it.
 */
final class SeriesSampler {
  /** A gap is a pause in the rows this many times longer than their median spacing. */
  static final int GAP_FACTOR = 10;

  /** One column's points in time order; a NaN value is a break in the line. */
  record Points(long[] times, double[] values, int size) {}

  private final int buckets;
  private final int columns;
  private final int rawLimit;

  // raw rows, until there are more than rawLimit of them
  private long[] rawTimes = new long[64];
  private double[][] rawValues;
  private int raw;

  // per bucket and column, once folded: bucket b holds [start + b * width, start + (b+1) * width)
  private boolean folded;
  private long start;
  private long width;
  private double[][] min;
  private double[][] max;
  private long[][] minAt;
  private long[][] maxAt;

  private final long[] spacing = new long[64]; // rows per log2 of the time to the previous row
  private long first = Long.MIN_VALUE;
  private long previous = Long.MIN_VALUE;
  private long rows;
  private final double[] lowest;
  private final double[] highest;

  /**
   * A sampler for rows in index order.
   *
   * @param columns number of value columns
   * @param buckets time buckets once downsampled (about half the chart's width in pixels); the
   *     output uses between half of them and all of them, whatever the range turns out to be
   */
  SeriesSampler(int columns, int buckets) {
    if (columns < 1 || buckets < 2) {
      throw new IllegalArgumentException(
          "a sampler needs a column and two buckets, not " + columns + " and " + buckets);
    }
    this.columns = columns;
    this.buckets = buckets;
    this.rawLimit = 2 * buckets;
    this.rawValues = new double[columns][64];
    this.lowest = new double[columns];
    this.highest = new double[columns];
    Arrays.fill(lowest, Double.NaN);
    Arrays.fill(highest, Double.NaN);
  }

  /**
   * Adds a row. Rows come in index order (as {@code Item.read} gives them).
   *
   * @param time index value in nanoseconds since the epoch
   * @param values one value per column, NaN for a null
   */
  void add(long time, double[] values) {
    if (previous != Long.MIN_VALUE) {
      if (time < previous) {
        throw new IllegalArgumentException(
            "rows out of index order: " + time + " after " + previous);
      }
      if (time > previous) {
        spacing[63 - Long.numberOfLeadingZeros(time - previous)]++;
      }
    } else {
      first = time;
    }
    previous = time;
    rows++;
    for (int c = 0; c < columns; c++) {
      double v = values[c];
      if (!Double.isNaN(v)) {
        lowest[c] = Double.isNaN(lowest[c]) ? v : Math.min(lowest[c], v);
        highest[c] = Double.isNaN(highest[c]) ? v : Math.max(highest[c], v);
      }
    }
    if (!folded) {
      if (raw < rawLimit) {
        keepRaw(time, values);
        return;
      }
      fold(time);
    }
    intoBucket(time, values);
  }

  private void keepRaw(long time, double[] values) {
    if (raw == rawTimes.length) {
      int n = Math.min(rawLimit, raw * 2);
      rawTimes = Arrays.copyOf(rawTimes, n);
      for (int c = 0; c < columns; c++) {
        rawValues[c] = Arrays.copyOf(rawValues[c], n);
      }
    }
    rawTimes[raw] = time;
    for (int c = 0; c < columns; c++) {
      rawValues[c][raw] = values[c];
    }
    raw++;
  }

  /** From raw rows to buckets: the rows so far fill about half of them. */
  private void fold(long now) {
    folded = true;
    start = first;
    width = Math.max(1, (now - first) / (buckets / 2) + 1);
    min = new double[columns][buckets];
    max = new double[columns][buckets];
    minAt = new long[columns][buckets];
    maxAt = new long[columns][buckets];
    for (int c = 0; c < columns; c++) {
      Arrays.fill(min[c], Double.NaN);
      Arrays.fill(max[c], Double.NaN);
    }
    double[] row = new double[columns];
    for (int i = 0; i < raw; i++) {
      for (int c = 0; c < columns; c++) {
        row[c] = rawValues[c][i];
      }
      intoBucket(rawTimes[i], row);
    }
    rawTimes = null;
    rawValues = null;
  }

  private void intoBucket(long time, double[] values) {
    while ((time - start) / width >= buckets) {
      widen();
    }
    int b = (int) ((time - start) / width);
    for (int c = 0; c < columns; c++) {
      double v = values[c];
      if (Double.isNaN(v)) {
        continue;
      }
      if (Double.isNaN(min[c][b]) || v < min[c][b]) {
        min[c][b] = v;
        minAt[c][b] = time;
      }
      if (Double.isNaN(max[c][b]) || v > max[c][b]) {
        max[c][b] = v;
        maxAt[c][b] = time;
      }
    }
  }

  /** Doubles the bucket width: buckets 2k and 2k+1 become bucket k. */
  private void widen() {
    for (int c = 0; c < columns; c++) {
      for (int b = 0; b < buckets; b++) {
        int into = b / 2;
        if (b % 2 == 0) {
          min[c][into] = min[c][b];
          minAt[c][into] = minAt[c][b];
          max[c][into] = max[c][b];
          maxAt[c][into] = maxAt[c][b];
        } else {
          if (!Double.isNaN(min[c][b])
              && (Double.isNaN(min[c][into]) || min[c][b] < min[c][into])) {
            min[c][into] = min[c][b];
            minAt[c][into] = minAt[c][b];
          }
          if (!Double.isNaN(max[c][b])
              && (Double.isNaN(max[c][into]) || max[c][b] > max[c][into])) {
            max[c][into] = max[c][b];
            maxAt[c][into] = maxAt[c][b];
          }
        }
      }
      for (int b = (buckets + 1) / 2; b < buckets; b++) {
        min[c][b] = Double.NaN;
        max[c][b] = Double.NaN;
      }
    }
    width = Math.multiplyExact(width, 2);
  }

  /** Rows added. */
  long rows() {
    return rows;
  }

  /** The first row's time (nanoseconds), or Long.MIN_VALUE before any row. */
  long first() {
    return first;
  }

  /** The last row's time (nanoseconds), or Long.MIN_VALUE before any row. */
  long last() {
    return previous;
  }

  /** Whether the rows were more than the chart shows one by one. */
  boolean downsampled() {
    return folded;
  }

  /** A column's smallest value, NaN when it held only nulls. */
  double lowest(int column) {
    return lowest[column];
  }

  /** A column's largest value, NaN when it held only nulls. */
  double highest(int column) {
    return highest[column];
  }

  /** The time between rows above which the chart shows a gap, in nanoseconds. */
  long gapThreshold() {
    long total = 0;
    for (long n : spacing) {
      total += n;
    }
    long median = 0;
    long seen = 0;
    for (int k = 0; k < spacing.length && total > 0; k++) {
      seen += spacing[k];
      if (seen * 2 >= total) {
        median = k >= 62 ? Long.MAX_VALUE / GAP_FACTOR : 1L << (k + 1); // the bin's upper edge
        break;
      }
    }
    long threshold = median == 0 ? Long.MAX_VALUE : median * GAP_FACTOR;
    if (folded) {
      // neighbouring buckets' extremes can lie almost two buckets apart without a gap between
      threshold = Math.max(threshold, width > Long.MAX_VALUE / 3 ? Long.MAX_VALUE : 3 * width);
    }
    return threshold;
  }

  /** A column's points in time order, with a NaN break inside every gap. */
  Points points(int column) {
    long[] times;
    double[] values;
    int n;
    if (!folded) {
      times = Arrays.copyOf(rawTimes, raw);
      values = Arrays.copyOf(rawValues[column], raw);
      n = raw;
    } else {
      times = new long[2 * buckets];
      values = new double[2 * buckets];
      n = 0;
      for (int b = 0; b < buckets; b++) {
        if (Double.isNaN(min[column][b])) {
          continue;
        }
        boolean minFirst = minAt[column][b] <= maxAt[column][b];
        long t1 = minFirst ? minAt[column][b] : maxAt[column][b];
        double v1 = minFirst ? min[column][b] : max[column][b];
        long t2 = minFirst ? maxAt[column][b] : minAt[column][b];
        double v2 = minFirst ? max[column][b] : min[column][b];
        times[n] = t1;
        values[n++] = v1;
        if (t2 != t1) {
          times[n] = t2;
          values[n++] = v2;
        }
      }
    }
    long gap = gapThreshold();
    long[] outTimes = new long[2 * n + 1];
    double[] outValues = new double[2 * n + 1];
    int m = 0;
    long last = Long.MIN_VALUE;
    for (int i = 0; i < n; i++) {
      if (Double.isNaN(values[i])) {
        continue; // a null, not a gap
      }
      if (last != Long.MIN_VALUE && times[i] - last > gap) {
        outTimes[m] = last + (times[i] - last) / 2;
        outValues[m++] = Double.NaN;
      }
      outTimes[m] = times[i];
      outValues[m++] = values[i];
      last = times[i];
    }
    return new Points(outTimes, outValues, m);
  }
}
