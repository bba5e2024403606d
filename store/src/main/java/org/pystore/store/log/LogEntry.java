package org.pystore.store.log;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import java.util.Map;
import org.pystore.store.ItemOptions;
import org.pystore.store.Rule;

/**
 * One commit of an item: the file {@code _log/<version>.json}.
 *
 * @param format file format version (1)
 * @param version the commit's version; the first commit of an item is 0
 * @param operation what made it: create, overwrite, append, metadata, compact
 * @param timestamp commit time, epoch milliseconds
 * @param writer who wrote it (host and process id)
 * @param options the item's options, on create and overwrite
 * @param schema the item's Avro schema (JSON) when this commit changes it
 * @param add parts added
 * @param remove names of parts removed
 * @param metadata the item's full user metadata when this commit changes it
 * @param offsets source offsets this commit makes durable (e.g. Kafka topic-partition to next
 *     offset), merged over earlier ones
 * @param info free-form figures about the commit (e.g. rows a compaction dropped)
 * @param tx the transaction this entry belongs to, or null: such an entry takes effect only once
 *     the transaction's decision file says committed (see {@link TxDecisions})
 * @param txDeadline epoch milliseconds after which any writer may abort the transaction when it is
 *     still undecided; null outside transactions
 * @param rules the item's full list of validation rules when this commit changes them, else null
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record LogEntry(
    int format,
    long version,
    String operation,
    long timestamp,
    String writer,
    ItemOptions options,
    String schema,
    List<PartInfo> add,
    List<String> remove,
    Map<String, Object> metadata,
    Map<String, Long> offsets,
    Map<String, Object> info,
    String tx,
    Long txDeadline,
    List<Rule> rules) {

  public static final int FORMAT = 1;

  /** An entry outside any transaction. */
  public LogEntry(
      int format,
      long version,
      String operation,
      long timestamp,
      String writer,
      ItemOptions options,
      String schema,
      List<PartInfo> add,
      List<String> remove,
      Map<String, Object> metadata,
      Map<String, Long> offsets,
      Map<String, Object> info) {
    this(
        format, version, operation, timestamp, writer, options, schema, add, remove, metadata,
        offsets, info, null, null, null);
  }

  /** This entry as part of a transaction. */
  public LogEntry inTransaction(String id, long deadline) {
    return new LogEntry(
        format, version, operation, timestamp, writer, options, schema, add, remove, metadata,
        offsets, info, id, deadline, rules);
  }

  /** This entry with the item's rules replaced. */
  public LogEntry withRules(List<Rule> newRules) {
    return new LogEntry(
        format,
        version,
        operation,
        timestamp,
        writer,
        options,
        schema,
        add,
        remove,
        metadata,
        offsets,
        info,
        tx,
        txDeadline,
        List.copyOf(newRules));
  }

  /** Normalizes absent lists to empty ones. */
  public LogEntry {
    add = add == null ? List.of() : List.copyOf(add);
    remove = remove == null ? List.of() : List.copyOf(remove);
  }
}
