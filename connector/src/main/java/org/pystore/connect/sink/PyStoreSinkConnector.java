package org.pystore.connect.sink;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.Config;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigValue;
import org.apache.kafka.connect.connector.Task;
import org.apache.kafka.connect.sink.SinkConnector;
import org.pystore.connect.Version;
import org.pystore.store.Names;

/** Appends topic records to PyStore items, exactly once. Thin: the work is in the store. */
public final class PyStoreSinkConnector extends SinkConnector {
  /** The key under which each task learns its number. */
  static final String TASK_ID = "pystore.task.id";

  private Map<String, String> props;

  @Override
  public String version() {
    return Version.get();
  }

  @Override
  public void start(Map<String, String> props) {
    new PyStoreSinkConfig(props);
    this.props = Map.copyOf(props);
  }

  @Override
  public Class<? extends Task> taskClass() {
    return PyStoreSinkTask.class;
  }

  @Override
  public List<Map<String, String>> taskConfigs(int maxTasks) {
    List<Map<String, String>> out = new ArrayList<>(maxTasks);
    for (int i = 0; i < maxTasks; i++) {
      Map<String, String> c = new HashMap<>(props);
      c.put(TASK_ID, String.valueOf(i));
      out.add(c);
    }
    return out;
  }

  @Override
  public void stop() {}

  @Override
  public ConfigDef config() {
    return PyStoreSinkConfig.CONFIG_DEF;
  }

  /** Single-key checks by the ConfigDef, then rules that span keys or touch the file system. */
  @Override
  public Config validate(Map<String, String> connectorConfigs) {
    Config config = super.validate(connectorConfigs);
    Map<String, ConfigValue> byName = new HashMap<>();
    for (ConfigValue v : config.configValues()) {
      byName.put(v.name(), v);
    }
    String store = connectorConfigs.get(PyStoreSinkConfig.STORE_PATH_CONFIG);
    if (store != null
        && !store.isBlank()
        && (org.pystore.store.storage.StorageProvider.schemeOf(store) != null)) {
      try {
        // reaches the bucket and probes its conditional writes, as every task will
        org.pystore.connect.StorageConfig.open(
            new PyStoreSinkConfig(connectorConfigs),
            store,
            org.pystore.store.StoreOptions.defaults());
      } catch (RuntimeException e) {
        add(byName, PyStoreSinkConfig.STORE_PATH_CONFIG, e.getMessage());
      }
    } else if (store != null && !store.isBlank()) {
      Path p = Path.of(store);
      if (Files.exists(p) && !Files.isDirectory(p)) {
        add(
            byName,
            PyStoreSinkConfig.STORE_PATH_CONFIG,
            "store.path " + store + " is a file; point it at a directory");
      } else if (Files.isDirectory(p) && !Files.isWritable(p)) {
        add(
            byName,
            PyStoreSinkConfig.STORE_PATH_CONFIG,
            "store.path " + store + " is not writable by the worker");
      }
    }
    String collection = connectorConfigs.get(PyStoreSinkConfig.COLLECTION_CONFIG);
    if (collection != null && !collection.isBlank() && !Names.isValid(collection.trim())) {
      add(
          byName,
          PyStoreSinkConfig.COLLECTION_CONFIG,
          "collection '"
              + collection
              + "' breaks the naming rule (no / \\ : * ? \" < > |, no leading _ or ., not a Windows device name)");
    }
    String indexField = connectorConfigs.get(PyStoreSinkConfig.INDEX_FIELD_CONFIG);
    String keys = connectorConfigs.get(PyStoreSinkConfig.DEDUPE_KEY_CONFIG);
    String indexColumn =
        indexField != null && !indexField.isBlank()
            ? indexField.trim()
            : connectorConfigs.getOrDefault(
                PyStoreSinkConfig.INDEX_COLUMN_CONFIG, PyStoreSinkConfig.INDEX_COLUMN_DEFAULT);
    if (keys != null) {
      for (String k : keys.split(",")) {
        if (k.trim().equals(indexColumn)) {
          add(
              byName,
              PyStoreSinkConfig.DEDUPE_KEY_CONFIG,
              "dedupe.key lists the index column '"
                  + indexColumn
                  + "'; the index is always part of the key, list only other columns");
        }
      }
    }
    return config;
  }

  private static void add(Map<String, ConfigValue> byName, String key, String message) {
    ConfigValue v = byName.get(key);
    if (v != null) {
      v.addErrorMessage(message);
    }
  }
}
