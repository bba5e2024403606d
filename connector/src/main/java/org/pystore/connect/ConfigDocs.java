package org.pystore.connect;

import java.util.List;
import org.apache.kafka.common.config.ConfigDef;

/** Renders a ConfigDef as the Markdown table the docs carry (a test keeps them equal). */
public final class ConfigDocs {
  private ConfigDocs() {}

  /**
   * The table: key, type, default, valid values, importance, description, by group and order.
   *
   * @param def the definition
   * @return Markdown
   */
  public static String markdown(ConfigDef def) {
    StringBuilder sb = new StringBuilder();
    sb.append("| key | type | default | valid values | importance | description |\n");
    sb.append("|---|---|---|---|---|---|\n");
    List<String> groups = def.groups();
    List<ConfigDef.ConfigKey> keys = new java.util.ArrayList<>(def.configKeys().values());
    keys.sort(
        java.util.Comparator.<ConfigDef.ConfigKey>comparingInt(
                k -> k.group == null ? -1 : groups.indexOf(k.group))
            .thenComparingInt(k -> k.orderInGroup)
            .thenComparing(k -> k.name));
    for (ConfigDef.ConfigKey k : keys) {
      String dflt;
      if (!k.hasDefault()) {
        dflt = "(required)";
      } else if (k.defaultValue == null || String.valueOf(k.defaultValue).isEmpty()) {
        dflt = "\"\"";
      } else {
        dflt = "`" + ConfigDef.convertToString(k.defaultValue, k.type) + "`";
      }
      String valid = k.validator == null ? "" : k.validator.toString().replace("|", "\\|");
      sb.append("| `")
          .append(k.name)
          .append("` | ")
          .append(k.type.name().toLowerCase(java.util.Locale.ROOT))
          .append(" | ")
          .append(dflt)
          .append(" | ")
          .append(valid)
          .append(" | ")
          .append(k.importance.name().toLowerCase(java.util.Locale.ROOT))
          .append(" | ")
          .append(k.documentation.replace("|", "\\|"))
          .append(" |\n");
    }
    return sb.toString();
  }

  /** Prints the table of {@code sink} (default) or {@code source}. */
  public static void main(String[] args) {
    boolean source = args.length > 0 && args[0].equals("source");
    System.out.print(
        markdown(
            source
                ? org.pystore.connect.source.PyStoreSourceConfig.CONFIG_DEF
                : org.pystore.connect.sink.PyStoreSinkConfig.CONFIG_DEF));
  }
}
