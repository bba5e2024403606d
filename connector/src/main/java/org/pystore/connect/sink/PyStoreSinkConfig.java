package org.pystore.connect.sink;

import java.time.DateTimeException;
import java.time.Duration;
import java.time.ZoneId;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigDef.Width;
import org.apache.kafka.common.config.ConfigException;
import org.pystore.store.Bucketing;
import org.pystore.store.Codec;
import org.pystore.store.DedupePolicy;
import org.pystore.store.ItemOptions;

/** Configuration of the PyStore sink connector: one key per setting, documented and validated. */
public final class PyStoreSinkConfig extends AbstractConfig {
  static final String GROUP_STORE = "Store";
  static final String GROUP_RECORDS = "Records";
  static final String GROUP_FLUSH = "Flushing";
  static final String GROUP_ITEMS = "New items";

  public static final String STORE_PATH_CONFIG = "store.path";
  static final String STORE_PATH_DOC =
      "The store: a directory (created when missing), which every task of the connector must see, or s3://bucket/prefix on object storage (see the s3.* keys).";

  public static final String COLLECTION_CONFIG = "collection";
  static final String COLLECTION_DOC =
      "Collection the records go to. Empty: the record's topic. Names that break the store's naming rule are percent-encoded.";
  static final String COLLECTION_DEFAULT = "";

  public static final String ITEM_FIELD_CONFIG = "item.field";
  static final String ITEM_FIELD_DOC =
      "Value field naming the item (e.g. the symbol). Empty: the record key, as a string. Names that break the naming rule are percent-encoded (a/b becomes a%2Fb).";
  static final String ITEM_FIELD_DEFAULT = "";

  public static final String INDEX_FIELD_CONFIG = "index.field";
  static final String INDEX_FIELD_DOC =
      "Value field holding the row's timestamp: a Connect Timestamp, a number in index.unit, or an ISO-8601 string. Empty: the record's Kafka timestamp, stored in a column named by index.column.";
  static final String INDEX_FIELD_DEFAULT = "";

  public static final String INDEX_UNIT_CONFIG = "index.unit";
  static final String INDEX_UNIT_DOC =
      "Unit of a plain numeric index.field: s, ms, us or ns. Logical types and strings need none.";
  static final String INDEX_UNIT_DEFAULT = "ms";

  public static final String INDEX_COLUMN_CONFIG = "index.column";
  static final String INDEX_COLUMN_DOC =
      "Name of the index column when the index comes from the Kafka timestamp (index.field empty).";
  static final String INDEX_COLUMN_DEFAULT = "ts";

  public static final String FLUSH_RECORDS_CONFIG = "flush.records";
  static final String FLUSH_RECORDS_DOC =
      "An item's buffer is committed as a new part when it holds this many records.";
  static final int FLUSH_RECORDS_DEFAULT = 10_000;

  public static final String FLUSH_INTERVAL_MS_CONFIG = "flush.interval.ms";
  static final String FLUSH_INTERVAL_MS_DOC =
      "An item's buffer is committed at the latest this long after its first record arrived (checked on every put and offset commit).";
  static final long FLUSH_INTERVAL_MS_DEFAULT = 10_000L;

  public static final String COMMIT_MODE_CONFIG = "commit.mode";
  static final String COMMIT_MODE_DOC =
      "item: each item's buffer is committed on its own, when it is due. transaction: whenever a buffer is due, every buffered row of the task is committed as one transaction per collection, so a reader that pins the collection sees each partition up to one offset across all its items.";
  static final String COMMIT_MODE_DEFAULT = "item";

  public static final String COMMIT_THREADS_CONFIG = "commit.threads";
  static final String COMMIT_THREADS_DOC =
      "Threads committing a task's item buffers. Each item keeps to one thread, so its commits stay in order; commits of different items run beside each other and their fsyncs overlap. Transactions (commit.mode=transaction) run one at a time.";
  static final int COMMIT_THREADS_DEFAULT = 4;

  public static final String TRANSACTION_TIMEOUT_MS_CONFIG = "commit.transaction.timeout.ms";
  static final String TRANSACTION_TIMEOUT_MS_DOC =
      "With commit.mode=transaction: how long one flush's transaction may take from its commit's start to its decision. A transaction still undecided after it may be aborted by other writers of its items (its rows are then committed again), and a crashed one holds up writers of its items this long.";
  static final long TRANSACTION_TIMEOUT_MS_DEFAULT = 120_000L;

  public static final String BUFFER_MAX_BYTES_CONFIG = "buffer.max.bytes";
  static final String BUFFER_MAX_BYTES_DOC =
      "Memory budget of one task across all open items (estimated size of buffered rows). When reached, the largest buffers are committed first until half the budget is free.";
  static final long BUFFER_MAX_BYTES_DEFAULT = 64L * 1024 * 1024;

  public static final String BUCKET_CONFIG = "bucket";
  static final String BUCKET_DOC =
      "Time bucket of the parts of items the sink creates: day, hour, month or none.";
  static final String BUCKET_DEFAULT = "day";

  public static final String TIMEZONE_CONFIG = "timezone";
  static final String TIMEZONE_DOC =
      "Zone whose calendar cuts the buckets of items the sink creates (an IANA id).";
  static final String TIMEZONE_DEFAULT = "UTC";

  public static final String DEDUPE_CONFIG = "dedupe";
  static final String DEDUPE_DOC =
      "Dedupe policy of items the sink creates: exact (drop rows equal in index and every value), last or first (one row per index and dedupe.key), none.";
  static final String DEDUPE_DEFAULT = "exact";

  public static final String DEDUPE_KEY_CONFIG = "dedupe.key";
  static final String DEDUPE_KEY_DOC =
      "Key columns besides the index, for sorting and the last/first policies, of items the sink creates.";

  public static final String OFFSETS_NAMESPACE_CONFIG = "offsets.namespace";
  static final String OFFSETS_NAMESPACE_DOC =
      "A name for where the records come from, recorded with the offsets each item holds and in"
          + " the sink's checkpoints. Leave it empty for one Kafka cluster. Give each cluster its"
          + " own name when connectors of several clusters write into one store, and a new name"
          + " after a topic was deleted and created again: its offsets restart at 0, and under"
          + " the old name the sink would skip the new records as already held. Letters, digits,"
          + " '.', '_' and '-'.";
  static final String OFFSETS_NAMESPACE_DEFAULT = "";

  public static final String CODEC_CONFIG = "codec";
  static final String CODEC_DOC = "Compression of new parts: snappy, zstd, gzip or uncompressed.";
  static final String CODEC_DEFAULT = "snappy";

  public static final String NULL_VALUES_CONFIG = "behavior.on.null.values";
  static final String NULL_VALUES_DOC =
      "What to do with tombstones and null values: ignore (skip them) or fail (a bad record: DLQ or task failure).";
  static final String NULL_VALUES_DEFAULT = "ignore";

  public static final String SCHEMA_EVOLUTION_CONFIG = "schema.evolution";
  static final String SCHEMA_EVOLUTION_DOC =
      "add-columns: accept new columns and safe widening (int to long, to double); strict: a record whose schema differs from its item's is a bad record.";
  static final String SCHEMA_EVOLUTION_DEFAULT = "add-columns";

  /** The definition every key of this connector follows. */
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
        GROUP_STORE,
        ++o,
        Width.LONG,
        "Store");
    o = org.pystore.connect.StorageConfig.define(d, GROUP_STORE, o);
    d.define(
        COLLECTION_CONFIG,
        Type.STRING,
        COLLECTION_DEFAULT,
        Importance.HIGH,
        COLLECTION_DOC,
        GROUP_STORE,
        ++o,
        Width.MEDIUM,
        "Collection");
    o = 0;
    d.define(
        ITEM_FIELD_CONFIG,
        Type.STRING,
        ITEM_FIELD_DEFAULT,
        Importance.HIGH,
        ITEM_FIELD_DOC,
        GROUP_RECORDS,
        ++o,
        Width.MEDIUM,
        "Item field");
    d.define(
        INDEX_FIELD_CONFIG,
        Type.STRING,
        INDEX_FIELD_DEFAULT,
        Importance.HIGH,
        INDEX_FIELD_DOC,
        GROUP_RECORDS,
        ++o,
        Width.MEDIUM,
        "Index field");
    d.define(
        INDEX_UNIT_CONFIG,
        Type.STRING,
        INDEX_UNIT_DEFAULT,
        ConfigDef.ValidString.in("s", "ms", "us", "ns"),
        Importance.MEDIUM,
        INDEX_UNIT_DOC,
        GROUP_RECORDS,
        ++o,
        Width.SHORT,
        "Index unit");
    d.define(
        INDEX_COLUMN_CONFIG,
        Type.STRING,
        INDEX_COLUMN_DEFAULT,
        new ConfigDef.NonEmptyString(),
        Importance.LOW,
        INDEX_COLUMN_DOC,
        GROUP_RECORDS,
        ++o,
        Width.SHORT,
        "Index column");
    d.define(
        NULL_VALUES_CONFIG,
        Type.STRING,
        NULL_VALUES_DEFAULT,
        ConfigDef.ValidString.in("ignore", "fail"),
        Importance.MEDIUM,
        NULL_VALUES_DOC,
        GROUP_RECORDS,
        ++o,
        Width.SHORT,
        "On null values");
    d.define(
        SCHEMA_EVOLUTION_CONFIG,
        Type.STRING,
        SCHEMA_EVOLUTION_DEFAULT,
        ConfigDef.ValidString.in("add-columns", "strict"),
        Importance.MEDIUM,
        SCHEMA_EVOLUTION_DOC,
        GROUP_RECORDS,
        ++o,
        Width.SHORT,
        "Schema evolution");
    d.define(
        OFFSETS_NAMESPACE_CONFIG,
        Type.STRING,
        OFFSETS_NAMESPACE_DEFAULT,
        new NamespaceValidator(),
        Importance.LOW,
        OFFSETS_NAMESPACE_DOC,
        GROUP_RECORDS,
        ++o,
        Width.SHORT,
        "Offsets namespace");
    o = 0;
    d.define(
        FLUSH_RECORDS_CONFIG,
        Type.INT,
        FLUSH_RECORDS_DEFAULT,
        ConfigDef.Range.atLeast(1),
        Importance.MEDIUM,
        FLUSH_RECORDS_DOC,
        GROUP_FLUSH,
        ++o,
        Width.SHORT,
        "Records per part");
    d.define(
        FLUSH_INTERVAL_MS_CONFIG,
        Type.LONG,
        FLUSH_INTERVAL_MS_DEFAULT,
        ConfigDef.Range.atLeast(0),
        Importance.MEDIUM,
        FLUSH_INTERVAL_MS_DOC,
        GROUP_FLUSH,
        ++o,
        Width.SHORT,
        "Flush interval (ms)");
    d.define(
        BUFFER_MAX_BYTES_CONFIG,
        Type.LONG,
        BUFFER_MAX_BYTES_DEFAULT,
        ConfigDef.Range.atLeast(64 * 1024),
        Importance.MEDIUM,
        BUFFER_MAX_BYTES_DOC,
        GROUP_FLUSH,
        ++o,
        Width.SHORT,
        "Buffer budget (bytes)");
    d.define(
        COMMIT_MODE_CONFIG,
        Type.STRING,
        COMMIT_MODE_DEFAULT,
        ConfigDef.ValidString.in("item", "transaction"),
        Importance.MEDIUM,
        COMMIT_MODE_DOC,
        GROUP_FLUSH,
        ++o,
        Width.SHORT,
        "Commit mode");
    d.define(
        COMMIT_THREADS_CONFIG,
        Type.INT,
        COMMIT_THREADS_DEFAULT,
        ConfigDef.Range.between(1, 64),
        Importance.LOW,
        COMMIT_THREADS_DOC,
        GROUP_FLUSH,
        ++o,
        Width.SHORT,
        "Commit threads");
    d.define(
        TRANSACTION_TIMEOUT_MS_CONFIG,
        Type.LONG,
        TRANSACTION_TIMEOUT_MS_DEFAULT,
        ConfigDef.Range.atLeast(1000),
        Importance.LOW,
        TRANSACTION_TIMEOUT_MS_DOC,
        GROUP_FLUSH,
        ++o,
        Width.SHORT,
        "Transaction timeout (ms)");
    o = 0;
    d.define(
        BUCKET_CONFIG,
        Type.STRING,
        BUCKET_DEFAULT,
        ConfigDef.ValidString.in("day", "hour", "month", "none"),
        Importance.MEDIUM,
        BUCKET_DOC,
        GROUP_ITEMS,
        ++o,
        Width.SHORT,
        "Bucket");
    d.define(
        TIMEZONE_CONFIG,
        Type.STRING,
        TIMEZONE_DEFAULT,
        new ZoneValidator(),
        Importance.LOW,
        TIMEZONE_DOC,
        GROUP_ITEMS,
        ++o,
        Width.MEDIUM,
        "Time zone");
    d.define(
        DEDUPE_CONFIG,
        Type.STRING,
        DEDUPE_DEFAULT,
        ConfigDef.ValidString.in("exact", "last", "first", "none"),
        Importance.MEDIUM,
        DEDUPE_DOC,
        GROUP_ITEMS,
        ++o,
        Width.SHORT,
        "Dedupe policy");
    d.define(
        DEDUPE_KEY_CONFIG,
        Type.LIST,
        "",
        Importance.LOW,
        DEDUPE_KEY_DOC,
        GROUP_ITEMS,
        ++o,
        Width.MEDIUM,
        "Dedupe key");
    d.define(
        CODEC_CONFIG,
        Type.STRING,
        CODEC_DEFAULT,
        ConfigDef.ValidString.in("snappy", "zstd", "gzip", "uncompressed"),
        Importance.LOW,
        CODEC_DOC,
        GROUP_ITEMS,
        ++o,
        Width.SHORT,
        "Codec");
    return d;
  }

  /** Accepts an empty namespace or one of letters, digits, '.', '_' and '-'. */
  static final class NamespaceValidator implements ConfigDef.Validator {
    @Override
    public void ensureValid(String name, Object value) {
      String v = value == null ? "" : value.toString();
      if (!v.matches("[A-Za-z0-9._-]{0,100}")) {
        throw new ConfigException(
            name, value, "use letters, digits, '.', '_' and '-' only (at most 100)");
      }
    }

    @Override
    public String toString() {
      return "letters, digits, '.', '_' and '-'";
    }
  }

  /** Accepts IANA zone ids. */
  static final class ZoneValidator implements ConfigDef.Validator {
    @Override
    public void ensureValid(String name, Object value) {
      try {
        ZoneId.of(String.valueOf(value));
      } catch (DateTimeException e) {
        throw new ConfigException(
            name, value, "not a time zone; use an IANA id such as UTC or America/New_York");
      }
    }

    @Override
    public String toString() {
      return "an IANA time zone id, e.g. UTC or Europe/London";
    }
  }

  public PyStoreSinkConfig(Map<?, ?> props) {
    super(CONFIG_DEF, props);
  }

  public String storePath() {
    return getString(STORE_PATH_CONFIG);
  }

  /** The fixed collection, or null to use each record's topic. */
  public String collection() {
    return blankToNull(getString(COLLECTION_CONFIG));
  }

  /** The item field, or null to use the record key. */
  public String itemField() {
    return blankToNull(getString(ITEM_FIELD_CONFIG));
  }

  /** The index field, or null to use the Kafka timestamp. */
  public String indexField() {
    return blankToNull(getString(INDEX_FIELD_CONFIG));
  }

  public String indexUnit() {
    return getString(INDEX_UNIT_CONFIG);
  }

  /** The index column of new items: index.field when set, else index.column. */
  public String indexColumn() {
    return indexField() != null ? indexField() : getString(INDEX_COLUMN_CONFIG);
  }

  /** The offsets namespace, empty for none. */
  public String offsetsNamespace() {
    return getString(OFFSETS_NAMESPACE_CONFIG);
  }

  public int flushRecords() {
    return getInt(FLUSH_RECORDS_CONFIG);
  }

  public Duration flushInterval() {
    return Duration.ofMillis(getLong(FLUSH_INTERVAL_MS_CONFIG));
  }

  /** Whether a flush commits every buffered item as one transaction per collection. */
  public boolean transactions() {
    return "transaction".equals(getString(COMMIT_MODE_CONFIG));
  }

  public int commitThreads() {
    return getInt(COMMIT_THREADS_CONFIG);
  }

  public Duration transactionTimeout() {
    return Duration.ofMillis(getLong(TRANSACTION_TIMEOUT_MS_CONFIG));
  }

  public long bufferMaxBytes() {
    return getLong(BUFFER_MAX_BYTES_CONFIG);
  }

  public boolean failOnNullValues() {
    return "fail".equals(getString(NULL_VALUES_CONFIG));
  }

  public boolean strictSchemas() {
    return "strict".equals(getString(SCHEMA_EVOLUTION_CONFIG));
  }

  /** Options of the items this sink creates. */
  public ItemOptions itemOptions() {
    List<String> keys = getList(DEDUPE_KEY_CONFIG);
    return new ItemOptions(
        indexColumn(),
        keys,
        DedupePolicy.parse(getString(DEDUPE_CONFIG)),
        Bucketing.parse(getString(BUCKET_CONFIG)),
        getString(TIMEZONE_CONFIG),
        Codec.parse(getString(CODEC_CONFIG).toUpperCase(Locale.ROOT)));
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s.trim();
  }
}
