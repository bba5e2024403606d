package org.pystore.compactor;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.text.ParseException;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TimeZone;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.pystore.store.s3.S3Settings;
import org.quartz.CronExpression;

/**
 * The compactor worker's settings, read from a properties file ({@code config/compactor.properties}
 * is an example). Every key is listed in {@link #KEYS} with its default and meaning; an unknown key
 * is an error, so a typo never silently falls back to a default.
 *
 * @param store the store: a directory or {@code s3://bucket/prefix}
 * @param storageSettings the {@code s3.*} keys, for an {@code s3://} store
 * @param schedules when to run and over which collections
 * @param options how to compact and vacuum
 */
public record CompactorConfig(
    String store,
    Map<String, String> storageSettings,
    List<Schedule> schedules,
    CompactionOptions options) {

  public static final String STORE_PATH = "store.path";
  public static final String SCHEDULE_CRON = "schedule.cron";
  public static final String SCHEDULE_TIMEZONE = "schedule.timezone";
  public static final String SCHEDULE_COLLECTIONS = "schedule.collections";
  public static final String TARGET_BYTES = "compact.target.bytes";
  public static final String MIN_PARTS = "compact.min.parts";
  public static final String SMALL_FRACTION = "compact.small.fraction";
  public static final String THREADS = "compact.threads";
  public static final String VACUUM_ENABLED = "vacuum.enabled";
  public static final String VACUUM_RETENTION = "vacuum.retention";
  public static final String VACUUM_ORPHAN_GRACE = "vacuum.orphan.grace";
  public static final String S3_ENDPOINT = "s3.endpoint";
  public static final String S3_REGION = "s3.region";
  public static final String S3_PATH_STYLE = "s3.path.style.access";

  /** {@code collection.<name>.cron}: a collection's own schedule. */
  private static final Pattern COLLECTION_CRON = Pattern.compile("collection\\.(.+)\\.cron");

  /**
   * One documented key.
   *
   * @param name the property name
   * @param defaultValue the default, or null when required
   * @param doc what it means
   */
  public record Key(String name, String defaultValue, String doc) {}

  /** Every key, in the order the docs list them. */
  public static final List<Key> KEYS =
      List.of(
          new Key(
              STORE_PATH,
              null,
              "The store (required): a directory, or s3://bucket/prefix on object storage."),
          new Key(
              S3_ENDPOINT,
              "",
              "URL of an S3-compatible service for an s3:// store; empty: AWS S3, or"
                  + " AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL. Credentials come from the AWS SDK's"
                  + " default chain (AWS_ACCESS_KEY_ID, profiles, roles)."),
          new Key(S3_REGION, "", "Region of the bucket; empty: AWS_REGION or the profile's."),
          new Key(
              S3_PATH_STYLE,
              "false",
              "Address the bucket as endpoint/bucket (most S3-compatible services need true)."),
          new Key(
              SCHEDULE_CRON,
              null,
              "Quartz cron expression for the store-wide pass (required), e.g. '0 */15 * * * ?'"
                  + " (every 15 minutes). Fields: second minute hour day-of-month month"
                  + " day-of-week [year]."),
          new Key(SCHEDULE_TIMEZONE, "UTC", "Time zone the cron expressions are read in."),
          new Key(
              SCHEDULE_COLLECTIONS,
              "",
              "Comma-separated collections the store-wide pass visits; empty means every"
                  + " collection that has no schedule of its own."),
          new Key(
              "collection.<name>.cron",
              "",
              "A collection's own cron schedule; the store-wide pass then leaves it out."),
          new Key(
              TARGET_BYTES,
              Long.toString(CompactionOptions.DEFAULT_TARGET_BYTES),
              "Size of the parts compaction writes, in bytes."),
          new Key(
              MIN_PARTS,
              Integer.toString(CompactionOptions.DEFAULT_MIN_PARTS),
              "A run of small, non-overlapping parts in one time bucket is merged once it holds"
                  + " this many parts. Overlapping parts are always merged."),
          new Key(
              SMALL_FRACTION,
              Double.toString(CompactionOptions.DEFAULT_SMALL_FRACTION),
              "A part is small below this fraction of " + TARGET_BYTES + "."),
          new Key(
              THREADS,
              Integer.toString(CompactionOptions.DEFAULT_THREADS),
              "Threads that merge one bucket, each over its own slice of the time range."),
          new Key(
              VACUUM_ENABLED, "true", "Vacuum each item after compacting it in a scheduled pass."),
          new Key(
              VACUUM_RETENTION,
              Durations.format(CompactionOptions.DEFAULT_RETENTION),
              "How long replaced parts are kept for readers of older versions (0s, 30m, 12h,"
                  + " 7d). Parts a snapshot needs are kept regardless."),
          new Key(
              VACUUM_ORPHAN_GRACE,
              Durations.format(CompactionOptions.DEFAULT_ORPHAN_GRACE),
              "How old a written but never committed part must be before vacuum deletes it; at"
                  + " least 10m, so that no part of a commit still under way is deleted."));

  /** The reference table of {@link #KEYS} in Markdown, as docs/compaction.md carries it. */
  public static String markdown() {
    StringBuilder b = new StringBuilder();
    b.append("| key | default | meaning |\n|---|---|---|\n");
    for (Key k : KEYS) {
      b.append("| `")
          .append(k.name())
          .append("` | ")
          .append(
              k.defaultValue() == null
                  ? "(required)"
                  : k.defaultValue().isEmpty() ? "(none)" : "`" + k.defaultValue() + "`")
          .append(" | ")
          .append(k.doc().replace("|", "\\|"))
          .append(" |\n");
    }
    return b.toString();
  }

  /** Prints {@link #markdown()}: regenerates the table in docs/compaction.md. */
  public static void main(String[] args) {
    System.out.print(markdown());
  }

  /**
   * A cron schedule and the collections it covers.
   *
   * @param name a name for logs (the collection, or "store")
   * @param cron the cron expression
   * @param collections the collections, or null for every collection but the excluded ones
   * @param excluded collections with a schedule of their own (when {@code collections} is null)
   */
  public record Schedule(
      String name, CronExpression cron, List<String> collections, List<String> excluded) {}

  public CompactorConfig {
    schedules = List.copyOf(schedules);
  }

  /**
   * Reads a properties file.
   *
   * @param file the file
   * @return the settings
   * @throws IllegalArgumentException naming the file and what is wrong
   */
  public static CompactorConfig load(Path file) {
    Properties p = new Properties();
    try (Reader r = Files.newBufferedReader(file)) {
      p.load(r);
    } catch (NoSuchFileException e) {
      throw new IllegalArgumentException(
          "config file "
              + file
              + " does not exist; see config/compactor.properties for an example");
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read config file " + file + ": " + e, e);
    }
    Map<String, String> m = new LinkedHashMap<>();
    for (String k : p.stringPropertyNames()) {
      m.put(k, p.getProperty(k).trim());
    }
    try {
      return parse(m);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
    }
  }

  /**
   * Reads settings from a map of properties.
   *
   * @param props the properties
   * @return the settings
   * @throws IllegalArgumentException saying which key is wrong and what is expected
   */
  public static CompactorConfig parse(Map<String, String> props) {
    Map<String, String> rest = new LinkedHashMap<>(props);
    String store = require(rest, STORE_PATH);
    Map<String, String> s3 = new LinkedHashMap<>();
    String endpoint = take(rest, S3_ENDPOINT, "");
    if (!endpoint.isEmpty()) {
      if (!S3Settings.isEndpoint(endpoint)) {
        throw new IllegalArgumentException(
            S3_ENDPOINT
                + "='"
                + endpoint
                + "' is not a URL; write it as "
                + S3Settings.ENDPOINT_FORM);
      }
      s3.put(S3_ENDPOINT, endpoint);
    }
    String region = take(rest, S3_REGION, "");
    if (!region.isEmpty()) {
      s3.put(S3_REGION, region);
    }
    if (bool(rest, S3_PATH_STYLE, false)) {
      s3.put(S3_PATH_STYLE, "true");
    }
    String zoneName = take(rest, SCHEDULE_TIMEZONE, "UTC");
    TimeZone zone;
    try {
      zone = TimeZone.getTimeZone(ZoneId.of(zoneName));
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(
          SCHEDULE_TIMEZONE + "='" + zoneName + "' is not a time zone (e.g. UTC, Europe/London)");
    }
    List<Schedule> schedules = new ArrayList<>();
    List<String> own = new ArrayList<>();
    for (String k : new ArrayList<>(rest.keySet())) {
      Matcher mm = COLLECTION_CRON.matcher(k);
      if (mm.matches()) {
        String c = mm.group(1);
        schedules.add(new Schedule(c, cron(k, rest.remove(k), zone), List.of(c), List.of()));
        own.add(c);
      }
    }
    CronExpression main = cron(SCHEDULE_CRON, require(rest, SCHEDULE_CRON), zone);
    String listed = take(rest, SCHEDULE_COLLECTIONS, "");
    List<String> mainCollections = null;
    if (!listed.isEmpty()) {
      mainCollections = new ArrayList<>();
      for (String c : listed.split(",")) {
        if (!c.isBlank()) {
          mainCollections.add(c.trim());
        }
      }
    }
    schedules.add(0, new Schedule("store", main, mainCollections, List.copyOf(own)));
    CompactionOptions o =
        new CompactionOptions(
            longValue(rest, TARGET_BYTES, CompactionOptions.DEFAULT_TARGET_BYTES),
            (int) longValue(rest, MIN_PARTS, CompactionOptions.DEFAULT_MIN_PARTS),
            doubleValue(rest, SMALL_FRACTION, CompactionOptions.DEFAULT_SMALL_FRACTION),
            (int) longValue(rest, THREADS, CompactionOptions.DEFAULT_THREADS),
            duration(rest, VACUUM_RETENTION, CompactionOptions.DEFAULT_RETENTION),
            duration(rest, VACUUM_ORPHAN_GRACE, CompactionOptions.DEFAULT_ORPHAN_GRACE),
            bool(rest, VACUUM_ENABLED, true));
    if (!rest.isEmpty()) {
      List<String> known = new ArrayList<>();
      KEYS.forEach(k -> known.add(k.name()));
      throw new IllegalArgumentException(
          "unknown key(s) " + new TreeSet<>(rest.keySet()) + "; the keys are " + known);
    }
    return new CompactorConfig(store, Map.copyOf(s3), schedules, o);
  }

  private static CronExpression cron(String key, String value, TimeZone zone) {
    try {
      CronExpression c = new CronExpression(value);
      c.setTimeZone(zone);
      return c;
    } catch (ParseException e) {
      throw new IllegalArgumentException(
          key
              + "='"
              + value
              + "' is not a Quartz cron expression ("
              + e.getMessage()
              + "); write six or seven fields: second minute hour day-of-month month day-of-week"
              + " [year], with '?' in one of the day fields, e.g. '0 */15 * * * ?'");
    }
  }

  private static String require(Map<String, String> m, String key) {
    String v = m.remove(key);
    if (v == null || v.isEmpty()) {
      throw new IllegalArgumentException("'" + key + "' is required");
    }
    return v;
  }

  private static String take(Map<String, String> m, String key, String dflt) {
    String v = m.remove(key);
    return v == null ? dflt : v;
  }

  private static long longValue(Map<String, String> m, String key, long dflt) {
    String v = m.remove(key);
    if (v == null || v.isEmpty()) {
      return dflt;
    }
    try {
      return Long.parseLong(v);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(key + "='" + v + "' is not a whole number");
    }
  }

  private static double doubleValue(Map<String, String> m, String key, double dflt) {
    String v = m.remove(key);
    if (v == null || v.isEmpty()) {
      return dflt;
    }
    try {
      return Double.parseDouble(v);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(key + "='" + v + "' is not a number");
    }
  }

  private static boolean bool(Map<String, String> m, String key, boolean dflt) {
    String v = m.remove(key);
    if (v == null || v.isEmpty()) {
      return dflt;
    }
    if (v.equalsIgnoreCase("true") || v.equalsIgnoreCase("false")) {
      return Boolean.parseBoolean(v);
    }
    throw new IllegalArgumentException(key + "='" + v + "' is not true or false");
  }

  private static Duration duration(Map<String, String> m, String key, Duration dflt) {
    String v = m.remove(key);
    if (v == null || v.isEmpty()) {
      return dflt;
    }
    try {
      return Durations.parse(v);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(key + ": " + e.getMessage());
    }
  }
}
