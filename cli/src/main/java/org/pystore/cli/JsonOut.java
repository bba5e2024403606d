package org.pystore.cli;

import java.nio.charset.StandardCharsets;
import org.pystore.store.log.Json;

/** What {@code --json} prints: one JSON document on stdout. */
final class JsonOut {
  private JsonOut() {}

  static void print(Object value) {
    System.out.println(new String(Json.prettyBytes(value), StandardCharsets.UTF_8));
  }
}
