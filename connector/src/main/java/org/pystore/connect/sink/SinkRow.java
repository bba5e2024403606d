package org.pystore.connect.sink;

import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.sink.SinkRecord;

/**
 * One record, converted: where it goes and what it holds.
 *
 * @param collection the collection (a valid name)
 * @param item the item (a valid name)
 * @param tp the record's topic-partition
 * @param offset the record's offset
 * @param row the row, index column first
 * @param bytes estimated memory the row holds while buffered, the retained record included
 * @param record the original record, kept so that a row refused at commit time reaches the dead
 *     letter queue as it was received; null when the task has no dead letter queue (the refusal
 *     then fails the task, naming the record by topic, partition and offset)
 */
record SinkRow(
    String collection,
    String item,
    TopicPartition tp,
    long offset,
    GenericRecord row,
    long bytes,
    SinkRecord record) {

  /**
   * Estimated bytes a retained {@link SinkRecord} adds beyond the row: the record and its value's
   * shell (the field values themselves are shared with the row or small).
   */
  static final long RECORD_OVERHEAD = 160;
}
