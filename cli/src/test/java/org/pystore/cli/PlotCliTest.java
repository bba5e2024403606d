package org.pystore.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;
import javax.xml.parsers.DocumentBuilderFactory;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.plot.CombinedDomainXYPlot;
import org.jfree.chart.plot.XYPlot;
import org.jfree.data.Range;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pystore.store.log.Json;
import org.w3c.dom.Document;

/** {@code pystore plot} and {@code pystore info --chart}: pictures that show the data. */
class PlotCliTest {
  @TempDir Path dir;
  private final CliTest cli = new CliTest();
  private static final Instant DAY0 = Instant.parse("2024-01-02T10:00:00Z");

  @BeforeAll
  static void headless() {
    System.setProperty("java.awt.headless", "true");
  }

  @BeforeEach
  void setUp() throws Exception {
    cli.dir = dir;
    // two sessions of 2,500 rows, 42 hours apart: price around 100 with one spike to 130
    StringBuilder csv = new StringBuilder("ts,sym,price,size\n");
    for (int session = 0; session < 2; session++) {
      Instant open = DAY0.plusSeconds(session * 2 * 86_400L);
      for (int i = 0; i < 2_500; i++) {
        double price = i == 1_200 && session == 1 ? 130 : 100 + 5 * Math.sin(i / 200.0);
        csv.append(open.plusSeconds(i * 8L))
            .append(",A,")
            .append(String.format(Locale.ROOT, "%.4f", price))
            .append(',')
            .append(100 + i % 50)
            .append('\n');
      }
    }
    Path in = Files.writeString(dir.resolve("aapl.csv"), csv);
    assertThat(cli.run("write", "ticks/AAPL", "--csv", in.toString()).code()).isZero();
  }

  /** Pixels close to a colour (anti-aliasing blends edges, the middle of a line keeps it). */
  private static int[] columnsWith(BufferedImage img, int rgb) {
    int[] perColumn = new int[img.getWidth()];
    for (int x = 0; x < img.getWidth(); x++) {
      for (int y = 0; y < img.getHeight(); y++) {
        int p = img.getRGB(x, y);
        int dr = ((p >> 16) & 0xff) - ((rgb >> 16) & 0xff);
        int dg = ((p >> 8) & 0xff) - ((rgb >> 8) & 0xff);
        int db = (p & 0xff) - (rgb & 0xff);
        if (dr * dr + dg * dg + db * db < 900) {
          perColumn[x]++;
        }
      }
    }
    return perColumn;
  }

  @Test
  void aPngShowsEveryColumnOverTheItemsRangeWithTheGapLeftOpen() throws Exception {
    Path png = dir.resolve("aapl.png");
    CliTest.Run r = cli.run("plot", "ticks/AAPL", "-o", png.toString(), "--width", "800");
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out())
        .contains("wrote " + png)
        .contains("(800x500)")
        .contains("5,000 rows from 2024-01-02T10:00:00Z to 2024-01-04T15:33:12Z")
        .contains("price 95.")
        .contains("..130")
        .contains("size 100..149");
    BufferedImage img = ImageIO.read(png.toFile());
    assertThat(img.getWidth()).isEqualTo(800);
    assertThat(img.getHeight()).isEqualTo(500);

    int[] price = columnsWith(img, 0x1f77b4); // first panel's colour
    int[] size = columnsWith(img, 0xd62728); // second panel's colour
    for (int[] series : List.of(price, size)) {
      int first = -1;
      int last = -1;
      int total = 0;
      for (int x = 0; x < series.length; x++) {
        if (series[x] > 0) {
          first = first < 0 ? x : first;
          last = x;
          total += series[x];
        }
      }
      assertThat(total).as("pixels of the series' colour").isGreaterThan(300);
      // the line runs from the left edge of the plot to its right edge: the whole range
      assertThat(last - first).isGreaterThan(img.getWidth() * 3 / 4);
      // and leaves the 42 hours without rows empty: a run of columns without the colour
      int longestEmpty = 0;
      int run = 0;
      for (int x = first; x <= last; x++) {
        run = series[x] == 0 ? run + 1 : 0;
        longestEmpty = Math.max(longestEmpty, run);
      }
      assertThat(longestEmpty).as("columns without the line").isGreaterThan((last - first) / 2);
    }
  }

  @Test
  void theChartsAxesSpanTheDataAndTheRangeAsked() throws Exception {
    SeriesSampler s = new SeriesSampler(1, 100);
    for (int i = 0; i < 1_000; i++) {
      s.add(DAY0.plusSeconds(i).getEpochSecond() * 1_000_000_000L, new double[] {i == 500 ? 7 : 3});
    }
    JFreeChart chart =
        Charts.series("t", "sub", List.of("price"), List.of(s.points(0)), Double.NaN, Double.NaN);
    chart.createBufferedImage(600, 300); // lays the axes out
    CombinedDomainXYPlot plot = (CombinedDomainXYPlot) chart.getXYPlot();
    Range time = plot.getDomainAxis().getRange();
    assertThat(time.getLowerBound()).isLessThanOrEqualTo(DAY0.toEpochMilli());
    assertThat(time.getUpperBound()).isGreaterThanOrEqualTo(DAY0.plusSeconds(999).toEpochMilli());
    assertThat(time.getLength()).isLessThan(1_100_000); // fitted to the data, not to 1970
    XYPlot panel = plot.getSubplots().get(0);
    Range values = panel.getRangeAxis().getRange();
    assertThat(values.contains(3)).isTrue();
    assertThat(values.contains(7)).isTrue();
    assertThat(values.getLength()).isLessThan(6);

    // with --from/--to the time axis is exactly the range asked
    double from = DAY0.minusSeconds(3_600).toEpochMilli();
    double to = DAY0.plusSeconds(7_200).toEpochMilli();
    JFreeChart asked = Charts.series("t", "sub", List.of("p"), List.of(s.points(0)), from, to);
    Range range = ((CombinedDomainXYPlot) asked.getXYPlot()).getDomainAxis().getRange();
    assertThat(range.getLowerBound()).isEqualTo(from);
    assertThat(range.getUpperBound()).isEqualTo(to);
  }

  @Test
  void anSvgIsAWholeSvgDocumentWithTheSeriesInIt() throws Exception {
    Path svg = dir.resolve("out/aapl.svg");
    Files.createDirectories(svg.getParent());
    CliTest.Run r =
        cli.run(
            "plot",
            "ticks/AAPL",
            "--columns",
            "price",
            "--from",
            "2024-01-04",
            "--to",
            "2024-01-04",
            "-o",
            svg.toString());
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).contains("2,500 rows from 2024-01-04T10:00:00Z").contains("..130");
    DocumentBuilderFactory xml = DocumentBuilderFactory.newInstance();
    xml.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
    Document doc = xml.newDocumentBuilder().parse(svg.toFile());
    assertThat(doc.getDocumentElement().getNodeName()).isEqualTo("svg");
    String text = Files.readString(svg);
    assertThat(text).contains(">ticks/AAPL</text>").contains(">2024-01-04 12:00</text>");
    // the series is drawn as line segments in the first panel's colour
    assertThat(text.split("stroke:rgb\\(31,119,180\\)", -1).length - 1).isGreaterThan(100);
    try (var files = Files.list(svg.getParent())) {
      assertThat(files).as("no temporary file left").containsExactly(svg);
    }
  }

  @Test
  void badRequestsSayWhatToDo() {
    Path png = dir.resolve("x.png");
    CliTest.Run text = cli.run("plot", "ticks/AAPL", "--columns", "sym", "-o", png.toString());
    assertThat(text.code()).isEqualTo(2);
    assertThat(text.err())
        .contains("'sym' is string, not a number; numeric columns: [price, size]");

    CliTest.Run missing = cli.run("plot", "ticks/AAPL", "--columns", "prise", "-o", png.toString());
    assertThat(missing.code()).isEqualTo(2);
    assertThat(missing.err()).contains("no value column 'prise'");

    CliTest.Run gif = cli.run("plot", "ticks/AAPL", "-o", dir.resolve("x.gif").toString());
    assertThat(gif.code()).isEqualTo(2);
    assertThat(gif.err()).contains("invalid value for --output: name a .png or .svg file");

    CliTest.Run narrow = cli.run("plot", "ticks/AAPL", "--width", "10", "-o", png.toString());
    assertThat(narrow.code()).isEqualTo(2);

    CliTest.Run empty = cli.run("plot", "ticks/AAPL", "--from", "2025-01-01", "-o", png.toString());
    assertThat(empty.code()).isEqualTo(1);
    assertThat(empty.err())
        .contains("ticks/AAPL has no rows in the range asked to plot (it holds 5000 rows from");

    CliTest.Run noItem = cli.run("plot", "ticks/MSFT", "-o", png.toString());
    assertThat(noItem.code()).isEqualTo(1);
    assertThat(png).doesNotExist();
  }

  @Test
  void infoChartShowsRowsAndPartsPerBucket() throws Exception {
    // a third part in the last day's bucket
    Path more =
        Files.writeString(
            dir.resolve("more.csv"), "ts,sym,price,size\n2024-01-04T20:00:00Z,A,1,1\n");
    assertThat(cli.run("append", "ticks/AAPL", "--csv", more.toString()).code()).isZero();

    CliTest.Run r = cli.run("info", "ticks/AAPL", "--chart");
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).contains("buckets:   2 day buckets in UTC:");
    List<String> bars = r.out().lines().filter(l -> l.startsWith("  202401")).toList();
    assertThat(bars).hasSize(2);
    assertThat(bars.get(0)).startsWith("  20240102").contains(" 2,500 rows").endsWith("1 part");
    assertThat(bars.get(1)).startsWith("  20240104").contains(" 2,501 rows").endsWith("2 parts");
    assertThat(r.out()).contains("1 of them hold more than one part; `pystore compact ticks/AAPL`");

    CliTest.Run json = cli.run("info", "ticks/AAPL", "--chart", "--json");
    var buckets = Json.MAPPER.readTree(json.out()).get("buckets");
    assertThat(buckets.size()).isEqualTo(2);
    assertThat(buckets.get(1).get("rows").asLong()).isEqualTo(2_501);
    assertThat(buckets.get(1).get("parts").asInt()).isEqualTo(2);

    CliTest.Run one = cli.run("info", "ticks/AAPL", "--chart", "--chart-lines", "1");
    assertThat(one.out())
        .contains("shown as 1 runs of neighbouring buckets")
        .contains("  20240102..20240104");
    assertThat(cli.run("info", "ticks/AAPL", "--chart-lines", "0").code()).isEqualTo(2);
  }

  @Test
  void barsScaleToTheFullestBucket() {
    List<BucketChart.Row> rows =
        List.of(
            new BucketChart.Row("a", 1_000, 1, 10),
            new BucketChart.Row("b", 500, 2, 10),
            new BucketChart.Row("c", 1, 1, 10));
    List<String> lines = BucketChart.lines(rows, false);
    assertThat(lines.get(0)).contains("#".repeat(BucketChart.BAR));
    assertThat(lines.get(1)).contains(" " + "#".repeat(BucketChart.BAR / 2) + " ");
    assertThat(lines.get(2)).contains(" # ");
  }
}
