package org.pystore.connect.sink;

import java.util.Set;

/** Avro names are [A-Za-z_][A-Za-z0-9_]*: other characters of Connect field names become '_'. */
final class AvroNames {
  private AvroNames() {}

  static String sanitize(String name, Set<String> taken) {
    StringBuilder sb = new StringBuilder(name.length() + 1);
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      boolean ok =
          (c >= 'a' && c <= 'z')
              || (c >= 'A' && c <= 'Z')
              || c == '_'
              || (i > 0 && c >= '0' && c <= '9');
      sb.append(ok ? c : (i == 0 && c >= '0' && c <= '9') ? "_" + c : "_");
    }
    String base = sb.length() == 0 ? "_" : sb.toString();
    String out = base;
    for (int n = 2; !taken.add(out); n++) {
      out = base + "_" + n;
    }
    return out;
  }
}
