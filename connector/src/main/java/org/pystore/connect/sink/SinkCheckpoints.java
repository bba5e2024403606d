package org.pystore.connect.sink;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import org.apache.kafka.common.TopicPartition;
import org.pystore.store.CommitHook;
import org.pystore.store.CommitStep;
import org.pystore.store.Names;
import org.pystore.store.Store;
import org.pystore.store.StoreIOException;
import org.pystore.store.storage.Storage;

/**
 * Per topic-partition, the offset below which every record is committed in the store (or was
 * skipped or sent to the DLQ): {@code
 * <store>/_sink/<connector>/[<namespace>/]<topic>-<partition>.offset}. A task seeks there when it
 * is given the partition, whatever the consumer group remembers.
 */
final class SinkCheckpoints {
  private final Storage storage;
  private final String dir;
  private final CommitHook hook;

  SinkCheckpoints(Store store, String connector, String namespace) {
    this.storage = store.storage();
    String d = Storage.join("_sink", Names.encode(connector));
    this.dir =
        namespace == null || namespace.isEmpty() ? d : Storage.join(d, Names.encode(namespace));
    this.hook = store.options().hook();
  }

  private String file(TopicPartition tp) {
    return Storage.join(dir, Names.encode(tp.topic()) + "-" + tp.partition() + ".offset");
  }

  /** The checkpoint, or null when there is none. */
  Long read(TopicPartition tp) {
    String f = file(tp);
    try {
      return Long.parseLong(new String(storage.read(f), StandardCharsets.UTF_8).trim());
    } catch (NoSuchFileException e) {
      return null;
    } catch (IOException e) {
      throw new StoreIOException("cannot read sink checkpoint " + storage.describe(f), e);
    } catch (NumberFormatException e) {
      throw new org.apache.kafka.connect.errors.ConnectException(
          "sink checkpoint "
              + storage.describe(f)
              + " is damaged; delete it and the task resumes from the consumer group's offset (items skip what they hold)");
    }
  }

  void write(TopicPartition tp, long offset) {
    try {
      hook.at(CommitStep.SINK_CHECKPOINT, tp.toString());
      storage.replace(file(tp), Long.toString(offset).getBytes(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new StoreIOException("cannot write sink checkpoint " + storage.describe(file(tp)), e);
    }
  }
}
