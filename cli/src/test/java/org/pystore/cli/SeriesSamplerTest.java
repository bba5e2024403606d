package org.pystore.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SeriesSamplerTest {
  private static final long SECOND = 1_000_000_000L;
  private static final long DAY = 86_400 * SECOND;

  private static List<double[]> segments(SeriesSampler.Points p) {
    // [start, end] of each unbroken run of points
    List<double[]> out = new ArrayList<>();
    long runStart = Long.MIN_VALUE;
    long runEnd = Long.MIN_VALUE;
    for (int i = 0; i < p.size(); i++) {
      if (Double.isNaN(p.values()[i])) {
        out.add(new double[] {runStart, runEnd});
        runStart = Long.MIN_VALUE;
        continue;
      }
      if (runStart == Long.MIN_VALUE) {
        runStart = p.times()[i];
      }
      runEnd = p.times()[i];
    }
    if (runStart != Long.MIN_VALUE) {
      out.add(new double[] {runStart, runEnd});
    }
    return out;
  }

  @Test
  void fewRowsAreDrawnOneByOne() {
    SeriesSampler s = new SeriesSampler(2, 100);
    for (int i = 0; i < 150; i++) {
      s.add(i * SECOND, new double[] {i, i % 3 == 0 ? Double.NaN : -i});
    }
    assertThat(s.downsampled()).isFalse();
    SeriesSampler.Points a = s.points(0);
    assertThat(a.size()).isEqualTo(150);
    assertThat(a.values()[149]).isEqualTo(149.0);
    // a null is skipped, not a gap: the second column has 100 points and no break
    SeriesSampler.Points b = s.points(1);
    assertThat(b.size()).isEqualTo(100);
    assertThat(segments(b)).hasSize(1);
    assertThat(s.lowest(1)).isEqualTo(-149.0);
    assertThat(s.highest(1)).isEqualTo(-1.0);
  }

  @Test
  void aMillionRowsBecomeAtMostTwoPointsPerBucketAndKeepEverySpike() {
    int buckets = 500;
    SeriesSampler s = new SeriesSampler(1, buckets);
    int n = 1_000_000;
    for (int i = 0; i < n; i++) {
      double v = Math.sin(i / 50_000.0);
      if (i == 123_457) {
        v = 40; // a single-row spike
      }
      if (i == 876_543) {
        v = -40;
      }
      s.add(i * 1_000_000L, new double[] {v});
    }
    assertThat(s.rows()).isEqualTo(n);
    assertThat(s.downsampled()).isTrue();
    SeriesSampler.Points p = s.points(0);
    assertThat(p.size()).isLessThanOrEqualTo(2 * buckets).isGreaterThan(buckets / 2);
    double hi = Double.NEGATIVE_INFINITY;
    double lo = Double.POSITIVE_INFINITY;
    for (int i = 0; i < p.size(); i++) {
      hi = Math.max(hi, p.values()[i]);
      lo = Math.min(lo, p.values()[i]);
      if (i > 0) {
        assertThat(p.times()[i]).isGreaterThanOrEqualTo(p.times()[i - 1]);
      }
    }
    assertThat(hi).isEqualTo(40.0);
    assertThat(lo).isEqualTo(-40.0);
    assertThat(segments(p)).as("evenly spaced rows have no gap").hasSize(1);
    // the spikes keep their time
    boolean found = false;
    for (int i = 0; i < p.size(); i++) {
      if (p.values()[i] == 40.0) {
        assertThat(p.times()[i]).isEqualTo(123_457 * 1_000_000L);
        found = true;
      }
    }
    assertThat(found).isTrue();
  }

  @Test
  void aGapInTheRowsIsABreakInTheLineButAWeekendOfDailyRowsIsNot() {
    // ticks every second for two sessions of 6.5 hours, a day apart
    SeriesSampler ticks = new SeriesSampler(1, 300);
    for (int day = 0; day < 2; day++) {
      for (int sec = 0; sec < 23_400; sec++) {
        ticks.add(day * DAY + sec * SECOND, new double[] {day * 10 + sec % 7});
      }
    }
    List<double[]> runs = segments(ticks.points(0));
    assertThat(runs).hasSize(2);
    assertThat(runs.get(0)[1]).isLessThan(DAY);
    assertThat(runs.get(1)[0]).isGreaterThanOrEqualTo(DAY);

    // daily closes on weekdays only, raw and downsampled: no break for weekends
    for (int buckets : new int[] {1000, 50}) {
      SeriesSampler daily = new SeriesSampler(1, buckets);
      for (int d = 0; d < 700; d++) {
        if (d % 7 < 5) {
          daily.add(d * DAY, new double[] {d});
        }
      }
      assertThat(segments(daily.points(0))).as("buckets " + buckets).hasSize(1);
    }
  }

  @Test
  void theRangeNeedNotBeKnownFirst() {
    // rows that keep going far beyond what the first ones suggested widen the buckets
    SeriesSampler s = new SeriesSampler(1, 100);
    for (int i = 0; i < 10_000; i++) {
      long t = i < 300 ? i * SECOND : (long) i * i * SECOND;
      s.add(t, new double[] {i});
    }
    SeriesSampler.Points p = s.points(0);
    assertThat(p.size()).isLessThanOrEqualTo(200);
    assertThat(p.values()[p.size() - 1]).isEqualTo(9_999.0);
    assertThat(s.last()).isEqualTo(9_999L * 9_999 * SECOND);
    assertThat(s.first()).isZero();
  }

  @Test
  void rowsOutOfOrderAreRefused() {
    SeriesSampler s = new SeriesSampler(1, 10);
    s.add(5, new double[] {1});
    assertThatThrownBy(() -> s.add(4, new double[] {1}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("out of index order");
  }
}
