package org.pystore.connect;

import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigDef.Width;
import org.apache.kafka.common.config.ConfigException;
import org.pystore.store.Store;
import org.pystore.store.StoreOptions;
import org.pystore.store.s3.S3Settings;

/**
 * The keys both connectors take to reach a store on object storage ({@code store.path=s3://...}).
 * Credentials come from the worker's default AWS chain (environment, system properties, profile,
 * container or instance role), never from the connector's config, which Connect shows over REST.
 */
public final class StorageConfig {
  public static final String S3_ENDPOINT_CONFIG = "s3.endpoint";
  static final String S3_ENDPOINT_DOC =
      "URL of an S3-compatible service (http(s)://host:port) for an s3:// store.path. Empty: AWS S3, or AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL of the worker's environment.";

  public static final String S3_REGION_CONFIG = "s3.region";
  static final String S3_REGION_DOC =
      "Region of the bucket of an s3:// store.path. Empty: the worker's AWS_REGION or profile (us-east-1 with an s3.endpoint).";

  public static final String S3_PATH_STYLE_CONFIG = "s3.path.style.access";
  static final String S3_PATH_STYLE_DOC =
      "Address the bucket as endpoint/bucket instead of bucket.endpoint: most S3-compatible services need true.";

  private StorageConfig() {}

  /** An endpoint is empty or an http(s) URL. */
  static final class EndpointValidator implements ConfigDef.Validator {
    @Override
    public void ensureValid(String name, Object value) {
      String v = value == null ? "" : value.toString().trim();
      if (!v.isEmpty() && !S3Settings.isEndpoint(v)) {
        throw new ConfigException(name, value, "write it as " + S3Settings.ENDPOINT_FORM);
      }
    }

    @Override
    public String toString() {
      return "empty, or " + S3Settings.ENDPOINT_FORM;
    }
  }

  /**
   * Adds the object storage keys to a connector's definition.
   *
   * @param d the definition
   * @param group the group the keys show in
   * @param order the order of the last key before these
   * @return the order of the last key added
   */
  public static int define(ConfigDef d, String group, int order) {
    int o = order;
    d.define(
        S3_ENDPOINT_CONFIG,
        Type.STRING,
        "",
        new EndpointValidator(),
        Importance.MEDIUM,
        S3_ENDPOINT_DOC,
        group,
        ++o,
        Width.LONG,
        "S3 endpoint");
    d.define(
        S3_REGION_CONFIG,
        Type.STRING,
        "",
        Importance.MEDIUM,
        S3_REGION_DOC,
        group,
        ++o,
        Width.SHORT,
        "S3 region");
    d.define(
        S3_PATH_STYLE_CONFIG,
        Type.BOOLEAN,
        false,
        Importance.LOW,
        S3_PATH_STYLE_DOC,
        group,
        ++o,
        Width.SHORT,
        "S3 path-style access");
    return o;
  }

  /**
   * The object storage settings of a connector's config; the backend puts them over the worker's
   * environment (an empty key leaves the environment's value).
   */
  public static java.util.Map<String, String> settings(AbstractConfig c) {
    java.util.Map<String, String> m = new java.util.LinkedHashMap<>();
    m.put(S3_ENDPOINT_CONFIG, c.getString(S3_ENDPOINT_CONFIG).trim());
    m.put(S3_REGION_CONFIG, c.getString(S3_REGION_CONFIG).trim());
    if (c.getBoolean(S3_PATH_STYLE_CONFIG)) {
      m.put(S3_PATH_STYLE_CONFIG, "true");
    }
    return m;
  }

  /**
   * Opens the store a connector's {@code store.path} names.
   *
   * @param c the connector's config
   * @param storePath its store.path
   * @param options store options
   * @return the store
   */
  public static Store open(AbstractConfig c, String storePath, StoreOptions options) {
    return Store.open(storePath, options, settings(c));
  }
}
