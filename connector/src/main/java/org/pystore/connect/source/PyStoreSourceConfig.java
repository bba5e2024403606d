package org.pystore.connect.source;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigDef.Width;
import org.apache.kafka.common.config.ConfigException;
import org.pystore.store.InvalidDataException;
import org.pystore.store.Timestamps;

/** Configuration of the PyStore source connector (replay). */
public final class PyStoreSourceConfig extends AbstractConfig {
  static final String GROUP_WHAT = "What to replay";
  static final String GROUP_HOW = "How to replay";

  public static final String STORE_PATH_CONFIG = "store.path";
  static final String STORE_PATH_DOC =
      "The store: a directory, or s3://bucket/prefix on object storage (see the s3.* keys).";

  public static final String COLLECTION_CONFIG = "collection";
  static final String COLLECTION_DOC = "The collection to replay.";

  public static final String ITEMS_CONFIG = "items";
  static final String ITEMS_DOC =
      "Items to replay (comma-separated). Empty: items.pattern, or else every item of the collection at connector start.";

  public static final String ITEMS_PATTERN_CONFIG = "items.pattern";
  static final String ITEMS_PATTERN_DOC =
      "A Java regular expression the whole item name must match. Empty: every item.";

  public static final String TOPIC_CONFIG = "topic";
  static final String TOPIC_DOC =
      "Target topic; ${collection} and ${item} are replaced (characters Kafka does not allow in topic names become _).";
  static final String TOPIC_DEFAULT = "${collection}";

  public static final String FROM_CONFIG = "from";
  static final String FROM_DOC =
      "First instant replayed, inclusive (ISO-8601; no offset means UTC). Empty: the beginning.";

  public static final String TO_CONFIG = "to";
  static final String TO_DOC =
      "Last instant replayed, inclusive. Empty: the end (or, with follow, forever).";

  public static final String SPEED_CONFIG = "replay.speed";
  static final String SPEED_DOC =
      "0: as fast as possible; 1.0: the original pace (the gaps between index values); N: N times faster.";

  public static final String ORDER_CONFIG = "replay.order";
  static final String ORDER_DOC =
      "item: each item in index order, items spread over tasks; time: one global index order across the selected items (one task).";

  public static final String FOLLOW_CONFIG = "follow";
  static final String FOLLOW_DOC =
      "After the end of history, keep tailing new commits of the items.";

  public static final String SNAPSHOT_CONFIG = "snapshot";
  static final String SNAPSHOT_DOC =
      "Replay the items as of this named snapshot. Empty: the latest versions.";

  public static final String BATCH_CONFIG = "batch.max.records";
  static final String BATCH_DOC = "Most records one poll returns.";

  public static final String POLL_INTERVAL_CONFIG = "poll.interval.ms";
  static final String POLL_INTERVAL_DOC =
      "Longest a poll waits when nothing is due (pacing, or following with no new rows); stop() wakes it at once.";

  public static final ConfigDef CONFIG_DEF = configDef();

  private static ConfigDef configDef() {
    ConfigDef d = new ConfigDef();
    int o = 0;
    d.define(
        STORE_PATH_CONFIG,
        Type.STRING,
        ConfigDef.NO_DEFAULT_VALUE,
        new ConfigDef.NonEmptyString(),
        Importance.HIGH,
        STORE_PATH_DOC,
        GROUP_WHAT,
        ++o,
        Width.LONG,
        "Store");
    o = org.pystore.connect.StorageConfig.define(d, GROUP_WHAT, o);
    d.define(
        COLLECTION_CONFIG,
        Type.STRING,
        ConfigDef.NO_DEFAULT_VALUE,
        new ConfigDef.NonEmptyString(),
        Importance.HIGH,
        COLLECTION_DOC,
        GROUP_WHAT,
        ++o,
        Width.MEDIUM,
        "Collection");
    d.define(
        ITEMS_CONFIG,
        Type.LIST,
        "",
        Importance.HIGH,
        ITEMS_DOC,
        GROUP_WHAT,
        ++o,
        Width.LONG,
        "Items");
    d.define(
        ITEMS_PATTERN_CONFIG,
        Type.STRING,
        "",
        new RegexValidator(),
        Importance.MEDIUM,
        ITEMS_PATTERN_DOC,
        GROUP_WHAT,
        ++o,
        Width.MEDIUM,
        "Item pattern");
    d.define(
        FROM_CONFIG,
        Type.STRING,
        "",
        new TimeValidator(),
        Importance.MEDIUM,
        FROM_DOC,
        GROUP_WHAT,
        ++o,
        Width.MEDIUM,
        "From");
    d.define(
        TO_CONFIG,
        Type.STRING,
        "",
        new TimeValidator(),
        Importance.MEDIUM,
        TO_DOC,
        GROUP_WHAT,
        ++o,
        Width.MEDIUM,
        "To");
    d.define(
        SNAPSHOT_CONFIG,
        Type.STRING,
        "",
        Importance.LOW,
        SNAPSHOT_DOC,
        GROUP_WHAT,
        ++o,
        Width.MEDIUM,
        "Snapshot");
    o = 0;
    d.define(
        TOPIC_CONFIG,
        Type.STRING,
        TOPIC_DEFAULT,
        new ConfigDef.NonEmptyString(),
        Importance.HIGH,
        TOPIC_DOC,
        GROUP_HOW,
        ++o,
        Width.MEDIUM,
        "Topic");
    d.define(
        SPEED_CONFIG,
        Type.DOUBLE,
        0.0,
        ConfigDef.Range.atLeast(0.0),
        Importance.MEDIUM,
        SPEED_DOC,
        GROUP_HOW,
        ++o,
        Width.SHORT,
        "Replay speed");
    d.define(
        ORDER_CONFIG,
        Type.STRING,
        "item",
        ConfigDef.ValidString.in("item", "time"),
        Importance.MEDIUM,
        ORDER_DOC,
        GROUP_HOW,
        ++o,
        Width.SHORT,
        "Replay order");
    d.define(
        FOLLOW_CONFIG,
        Type.BOOLEAN,
        false,
        Importance.MEDIUM,
        FOLLOW_DOC,
        GROUP_HOW,
        ++o,
        Width.SHORT,
        "Follow");
    d.define(
        BATCH_CONFIG,
        Type.INT,
        1000,
        ConfigDef.Range.atLeast(1),
        Importance.LOW,
        BATCH_DOC,
        GROUP_HOW,
        ++o,
        Width.SHORT,
        "Batch size");
    d.define(
        POLL_INTERVAL_CONFIG,
        Type.LONG,
        1000L,
        ConfigDef.Range.atLeast(1),
        Importance.LOW,
        POLL_INTERVAL_DOC,
        GROUP_HOW,
        ++o,
        Width.SHORT,
        "Poll interval (ms)");
    return d;
  }

  /** Accepts an empty string or a valid Java regular expression. */
  static final class RegexValidator implements ConfigDef.Validator {
    @Override
    public void ensureValid(String name, Object value) {
      String s = value == null ? "" : value.toString();
      try {
        Pattern.compile(s);
      } catch (PatternSyntaxException e) {
        throw new ConfigException(
            name, value, "not a valid regular expression: " + e.getDescription());
      }
    }

    @Override
    public String toString() {
      return "a Java regular expression, or empty";
    }
  }

  /** Accepts an empty string or an ISO-8601 timestamp. */
  static final class TimeValidator implements ConfigDef.Validator {
    @Override
    public void ensureValid(String name, Object value) {
      String s = value == null ? "" : value.toString().trim();
      if (s.isEmpty()) {
        return;
      }
      try {
        Timestamps.parse(s);
      } catch (InvalidDataException e) {
        throw new ConfigException(name, value, e.getMessage());
      }
    }

    @Override
    public String toString() {
      return "an ISO-8601 timestamp such as 2024-01-02T09:30:00Z, or empty";
    }
  }

  public PyStoreSourceConfig(Map<?, ?> props) {
    super(CONFIG_DEF, props);
  }

  public String storePath() {
    return getString(STORE_PATH_CONFIG);
  }

  public String collection() {
    return getString(COLLECTION_CONFIG).trim();
  }

  public List<String> items() {
    return getList(ITEMS_CONFIG);
  }

  /** The item pattern, or null. */
  public Pattern itemsPattern() {
    String s = getString(ITEMS_PATTERN_CONFIG);
    return s == null || s.isBlank() ? null : Pattern.compile(s);
  }

  public String topicTemplate() {
    return getString(TOPIC_CONFIG);
  }

  public Instant from() {
    return instant(FROM_CONFIG);
  }

  public Instant to() {
    return instant(TO_CONFIG);
  }

  private Instant instant(String key) {
    String s = getString(key);
    return s == null || s.isBlank() ? null : Timestamps.parse(s);
  }

  public double speed() {
    return getDouble(SPEED_CONFIG);
  }

  public boolean timeOrder() {
    return "time".equals(getString(ORDER_CONFIG));
  }

  public boolean follow() {
    return getBoolean(FOLLOW_CONFIG);
  }

  /** The snapshot, or null. */
  public String snapshot() {
    String s = getString(SNAPSHOT_CONFIG);
    return s == null || s.isBlank() ? null : s.trim();
  }

  public int batchMaxRecords() {
    return getInt(BATCH_CONFIG);
  }

  public Duration pollInterval() {
    return Duration.ofMillis(getLong(POLL_INTERVAL_CONFIG));
  }

  /** Opens the store {@code store.path} names (a directory or {@code s3://}). */
  public org.pystore.store.Store openStore() {
    return org.pystore.connect.StorageConfig.open(
        this, storePath(), org.pystore.store.StoreOptions.defaults());
  }
}
