package org.pystore.connect.sink;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.apache.kafka.common.TopicPartition;
import org.pystore.store.CommitHook;
import org.pystore.store.CommitStep;
import org.pystore.store.Names;
import org.pystore.store.Store;
import org.pystore.store.StoreIOException;
import org.pystore.store.fs.AtomicFiles;

/**
 * Per topic-partition, the offset below which every record is committed in the store (or was
 * skipped or sent to the DLQ): {@code
 * <store>/_sink/<connector>/[<namespace>/]<topic>-<partition>.offset}. A task seeks there when it
 * is given the partition, whatever the consumer group remembers.
 */
final class SinkCheckpoints {
  private final Path dir;
  private final CommitHook hook;

  SinkCheckpoints(Store store, String connector, String namespace) {
    Path d = store.path().resolve("_sink").resolve(Names.encode(connector));
    this.dir = namespace == null || namespace.isEmpty() ? d : d.resolve(Names.encode(namespace));
    this.hook = store.options().hook();
  }

  private Path file(TopicPartition tp) {
    return dir.resolve(Names.encode(tp.topic()) + "-" + tp.partition() + ".offset");
  }

  /** The checkpoint, or null when there is none. */
  Long read(TopicPartition tp) {
    Path f = file(tp);
    try {
      return Long.parseLong(Files.readString(f, StandardCharsets.UTF_8).trim());
    } catch (NoSuchFileException e) {
      return null;
    } catch (IOException e) {
      throw new StoreIOException("cannot read sink checkpoint " + f, e);
    } catch (NumberFormatException e) {
      throw new org.apache.kafka.connect.errors.ConnectException(
          "sink checkpoint "
              + f
              + " is damaged; delete it and the task resumes from the consumer group's offset (items skip what they hold)");
    }
  }

  void write(TopicPartition tp, long offset) {
    try {
      hook.at(CommitStep.SINK_CHECKPOINT, tp.toString());
      Files.createDirectories(dir);
      AtomicFiles.replace(file(tp), Long.toString(offset).getBytes(StandardCharsets.UTF_8), true);
    } catch (IOException e) {
      throw new StoreIOException("cannot write sink checkpoint " + file(tp), e);
    }
  }
}
