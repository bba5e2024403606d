package org.pystore.store;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.generic.GenericRecord;

/**
 * A separate JVM appending to one item: {@code AppendWorker root writerId batches rows [s3-endpoint
 * key secret]}; an {@code s3://} root needs pystore-store-s3 on the classpath.
 */
public final class AppendWorker {
  private AppendWorker() {}

  public static void main(String[] args) {
    Store store =
        args.length > 4
            ? Store.open(
                args[0],
                StoreOptions.defaults(),
                java.util.Map.of(
                    "s3.endpoint", args[4],
                    "s3.path.style.access", "true",
                    "s3.access.key.id", args[5],
                    "s3.secret.access.key", args[6]))
            : Store.open(Path.of(args[0]));
    int writer = Integer.parseInt(args[1]);
    int batches = Integer.parseInt(args[2]);
    int rows = Integer.parseInt(args[3]);
    Item item = store.item("c", "shared");
    for (int b = 0; b < batches; b++) {
      item.append(batch(writer, b, rows));
    }
  }

  /** Rows unique to (writer, batch): the same timestamps for every writer, different sizes. */
  public static List<GenericRecord> batch(int writer, int b, int rows) {
    List<GenericRecord> out = new ArrayList<>();
    for (int i = 0; i < rows; i++) {
      out.add(Ticks.tick(Ticks.T0 + (long) (b * rows + i) * 1_000_000L, "W" + writer, b, i));
    }
    return out;
  }
}
