package org.pystore.cli;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Rectangle;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.text.SimpleDateFormat;
import java.util.List;
import java.util.Locale;
import java.util.TimeZone;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.DateAxis;
import org.jfree.chart.axis.DateTickUnit;
import org.jfree.chart.axis.DateTickUnitType;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.TickUnits;
import org.jfree.chart.plot.CombinedDomainXYPlot;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.title.TextTitle;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;
import org.jfree.svg.SVGGraphics2D;

/**
 * Charts of a series, drawn with JFreeChart: one panel per column over a shared UTC time axis. Only
 * {@code pystore plot} loads this class, so other commands start without the library.
 */
final class Charts {
  private static final Color[] COLORS = {
    new Color(0x1f77b4),
    new Color(0xd62728),
    new Color(0x2ca02c),
    new Color(0x9467bd),
    new Color(0xff7f0e),
    new Color(0x8c564b)
  };

  /** Time-axis ticks whose labels carry the date whenever a chart can span days. */
  private static final TickUnits TICKS = new TickUnits();

  static {
    ticks(DateTickUnitType.MILLISECOND, "HH:mm:ss.SSS", 1, 5, 10, 25, 50, 100, 250, 500);
    ticks(DateTickUnitType.SECOND, "HH:mm:ss", 1, 5, 10, 30);
    ticks(DateTickUnitType.MINUTE, "MM-dd HH:mm", 1, 2, 5, 10, 15, 20, 30);
    ticks(DateTickUnitType.HOUR, "yyyy-MM-dd HH:mm", 1, 2, 3, 4, 6, 12);
    ticks(DateTickUnitType.DAY, "yyyy-MM-dd", 1, 2, 7, 14);
    ticks(DateTickUnitType.MONTH, "yyyy-MM", 1, 3, 6);
    ticks(DateTickUnitType.YEAR, "yyyy", 1, 2, 5, 10, 25, 50, 100);
  }

  private static void ticks(DateTickUnitType type, String pattern, int... multiples) {
    for (int m : multiples) {
      SimpleDateFormat f = new SimpleDateFormat(pattern, Locale.ROOT);
      f.setTimeZone(TimeZone.getTimeZone("UTC"));
      TICKS.add(new DateTickUnit(type, m, f));
    }
  }

  private Charts() {}

  /**
   * A chart of columns over time.
   *
   * @param title the chart's title
   * @param subtitle a line under it (rows, range, downsampling)
   * @param names one name per column
   * @param points one column's points each, NaN values breaking the line
   * @param fromMillis start of the time axis, or NaN to fit the data
   * @param toMillis end of the time axis, or NaN to fit the data
   */
  static JFreeChart series(
      String title,
      String subtitle,
      List<String> names,
      List<SeriesSampler.Points> points,
      double fromMillis,
      double toMillis) {
    DateAxis time = new DateAxis("time (UTC)");
    time.setTimeZone(TimeZone.getTimeZone("UTC"));
    time.setLocale(Locale.ROOT);
    time.setStandardTickUnits(TICKS);
    time.setLowerMargin(0.01);
    time.setUpperMargin(0.01);
    CombinedDomainXYPlot plot = new CombinedDomainXYPlot(time);
    plot.setGap(8);
    for (int c = 0; c < names.size(); c++) {
      SeriesSampler.Points p = points.get(c);
      XYSeries s = new XYSeries(names.get(c), false, true);
      for (int i = 0; i < p.size(); i++) {
        double v = p.values()[i];
        s.add((double) Math.floorDiv(p.times()[i], 1_000_000L), Double.isNaN(v) ? null : v);
      }
      NumberAxis y = new NumberAxis(names.get(c));
      y.setAutoRangeIncludesZero(false);
      // few points get a marker each, so that a single row still shows
      XYLineAndShapeRenderer r = new XYLineAndShapeRenderer(true, p.size() <= 60);
      r.setSeriesPaint(0, COLORS[c % COLORS.length]);
      r.setSeriesStroke(0, new BasicStroke(1.2f));
      XYPlot panel = new XYPlot(new XYSeriesCollection(s), null, y, r);
      panel.setBackgroundPaint(Color.WHITE);
      panel.setDomainGridlinePaint(new Color(0xdddddd));
      panel.setRangeGridlinePaint(new Color(0xdddddd));
      plot.add(panel, 1);
    }
    if (!Double.isNaN(fromMillis) && !Double.isNaN(toMillis) && toMillis > fromMillis) {
      time.setRange(fromMillis, toMillis);
    }
    JFreeChart chart = new JFreeChart(title, new Font("SansSerif", Font.BOLD, 16), plot, false);
    chart.addSubtitle(new TextTitle(subtitle, new Font("SansSerif", Font.PLAIN, 11)));
    chart.setBackgroundPaint(Color.WHITE);
    return chart;
  }

  /**
   * Writes a chart as PNG or SVG (by the file's extension). The file appears whole or not at all:
   * the image goes to a temporary file beside it first.
   */
  static void write(JFreeChart chart, Path file, int width, int height) throws IOException {
    Path dir = file.toAbsolutePath().getParent();
    Path tmp = Files.createTempFile(dir, "." + file.getFileName(), ".tmp");
    try {
      try (OutputStream out = Files.newOutputStream(tmp)) {
        if (isSvg(file)) {
          SVGGraphics2D g = new SVGGraphics2D(width, height);
          chart.draw(g, new Rectangle(0, 0, width, height));
          out.write(g.getSVGDocument().getBytes(StandardCharsets.UTF_8));
        } else {
          ChartUtils.writeChartAsPNG(out, chart, width, height);
        }
      }
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  static boolean isSvg(Path file) {
    return file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".svg");
  }
}
