package org.pystore.connect.source;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.apache.kafka.common.config.Config;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigValue;
import org.apache.kafka.connect.connector.Task;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.source.ExactlyOnceSupport;
import org.apache.kafka.connect.source.SourceConnector;
import org.pystore.connect.Version;
import org.pystore.store.Names;
import org.pystore.store.PyCollection;
import org.pystore.store.PyStoreException;
import org.pystore.store.SnapshotInfo;
import org.pystore.store.Store;

/** Replays PyStore items into topics, in index order, resumable, at any pace. */
public final class PyStoreSourceConnector extends SourceConnector {
  /** The task config key listing a task's items, one per line. */
  static final String TASK_ITEMS = "pystore.items";

  private Map<String, String> props;
  private List<String> items;
  private PyStoreSourceConfig config;

  @Override
  public String version() {
    return Version.get();
  }

  @Override
  public void start(Map<String, String> props) {
    this.config = new PyStoreSourceConfig(props);
    this.props = Map.copyOf(props);
    try {
      this.items = select(config);
    } catch (PyStoreException e) {
      throw new ConnectException("cannot list the items to replay: " + e.getMessage(), e);
    }
  }

  static List<String> select(PyStoreSourceConfig config) {
    PyCollection c = config.openStore().collection(config.collection());
    if (!config.items().isEmpty()) {
      return List.copyOf(config.items());
    }
    List<String> all = config.snapshot() != null ? snapshotItems(c, config.snapshot()) : c.items();
    Pattern p = config.itemsPattern();
    if (p == null) {
      return all;
    }
    List<String> out = new ArrayList<>();
    for (String i : all) {
      if (p.matcher(i).matches()) {
        out.add(i);
      }
    }
    return out;
  }

  private static List<String> snapshotItems(PyCollection c, String snapshot) {
    for (SnapshotInfo s : c.snapshots()) {
      if (s.name().equals(snapshot)) {
        return new ArrayList<>(s.versions().keySet());
      }
    }
    throw new ConnectException("snapshot '" + snapshot + "' of '" + c.name() + "' does not exist");
  }

  @Override
  public Class<? extends Task> taskClass() {
    return PyStoreSourceTask.class;
  }

  @Override
  public List<Map<String, String>> taskConfigs(int maxTasks) {
    int tasks = config.timeOrder() ? 1 : Math.max(1, Math.min(maxTasks, items.size()));
    List<List<String>> split = new ArrayList<>();
    for (int t = 0; t < tasks; t++) {
      split.add(new ArrayList<>());
    }
    for (int i = 0; i < items.size(); i++) {
      split.get(i % tasks).add(items.get(i));
    }
    List<Map<String, String>> out = new ArrayList<>();
    for (List<String> s : split) {
      Map<String, String> c = new HashMap<>(props);
      c.put(TASK_ITEMS, String.join("\n", s));
      out.add(c);
    }
    return out;
  }

  @Override
  public void stop() {}

  @Override
  public ConfigDef config() {
    return PyStoreSourceConfig.CONFIG_DEF;
  }

  @Override
  public ExactlyOnceSupport exactlyOnceSupport(Map<String, String> connectorConfig) {
    return ExactlyOnceSupport.SUPPORTED; // offsets are logical and replay is deterministic
  }

  @Override
  public Config validate(Map<String, String> connectorConfigs) {
    Config result = super.validate(connectorConfigs);
    Map<String, ConfigValue> byName = new HashMap<>();
    for (ConfigValue v : result.configValues()) {
      byName.put(v.name(), v);
      if (!v.errorMessages().isEmpty()) {
        return result; // single-key errors first
      }
    }
    PyStoreSourceConfig c = new PyStoreSourceConfig(connectorConfigs);
    String store = c.storePath();
    if (!(org.pystore.store.storage.StorageProvider.schemeOf(store) != null)
        && !Files.isDirectory(Path.of(store))) {
      add(
          byName,
          PyStoreSourceConfig.STORE_PATH_CONFIG,
          "store.path " + store + " is not a directory");
      return result;
    }
    Store opened;
    try {
      opened = c.openStore();
    } catch (PyStoreException e) {
      add(byName, PyStoreSourceConfig.STORE_PATH_CONFIG, e.getMessage());
      return result;
    }
    if (!Names.isValid(c.collection()) || !opened.collection(c.collection()).exists()) {
      add(
          byName,
          PyStoreSourceConfig.COLLECTION_CONFIG,
          "collection '" + c.collection() + "' does not exist in " + store);
      return result;
    }
    if (c.from() != null && c.to() != null && c.from().isAfter(c.to())) {
      add(
          byName,
          PyStoreSourceConfig.TO_CONFIG,
          "to " + c.to() + " is before from " + c.from() + ": the range is empty");
    }
    if (c.follow() && c.snapshot() != null) {
      add(
          byName,
          PyStoreSourceConfig.FOLLOW_CONFIG,
          "a snapshot never changes: follow cannot be used with snapshot");
    }
    try {
      List<String> selected = select(c);
      PyCollection coll = opened.collection(c.collection());
      for (String i : c.items()) {
        if (!Names.isValid(i) || !coll.item(i).exists()) {
          add(
              byName,
              PyStoreSourceConfig.ITEMS_CONFIG,
              "item '" + i + "' does not exist in collection '" + c.collection() + "'");
        }
      }
      if (selected.isEmpty() && c.itemsPattern() != null && !c.follow()) {
        add(
            byName,
            PyStoreSourceConfig.ITEMS_PATTERN_CONFIG,
            "items.pattern matches no item of '" + c.collection() + "'");
      }
    } catch (ConnectException | PyStoreException e) {
      add(
          byName,
          c.snapshot() != null
              ? PyStoreSourceConfig.SNAPSHOT_CONFIG
              : PyStoreSourceConfig.COLLECTION_CONFIG,
          e.getMessage());
    }
    return result;
  }

  private static void add(Map<String, ConfigValue> byName, String key, String message) {
    ConfigValue v = byName.get(key);
    if (v != null) {
      v.addErrorMessage(message);
    }
  }

  /** Offsets a user sets must name an item and a logical position in it. */
  @Override
  public boolean alterOffsets(
      Map<String, String> connectorConfig, Map<Map<String, ?>, Map<String, ?>> offsets) {
    for (Map.Entry<Map<String, ?>, Map<String, ?>> e : offsets.entrySet()) {
      Map<String, ?> partition = e.getKey();
      if (!(partition.get(ItemCursor.COLLECTION) instanceof String)
          || !(partition.get(ItemCursor.ITEM) instanceof String)) {
        throw new ConnectException(
            "a source partition must be {\"collection\": <name>, \"item\": <name>}, not "
                + partition);
      }
      Map<String, ?> offset = e.getValue();
      if (offset == null) {
        continue; // resetting is fine
      }
      Object index = offset.get(ItemCursor.INDEX);
      Object pos = offset.get(ItemCursor.POSITION);
      if (!(index instanceof Number)
          || !(pos instanceof Number)
          || ((Number) pos).longValue() < 0) {
        throw new ConnectException(
            "a source offset must be {\"index\": <long, the item's index unit>, \"pos\": <rows already sent at that index, 0 or more>}, not "
                + offset);
      }
    }
    return true;
  }
}
