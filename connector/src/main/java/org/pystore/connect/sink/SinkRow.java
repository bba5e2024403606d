package org.pystore.connect.sink;

import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * One record, converted: where it goes and what it holds.
 *
 * @param collection the collection (a valid name)
 * @param item the item (a valid name)
 * @param tp the record's topic-partition
 * @param offset the record's offset
 * @param row the row, index column first
 * @param bytes estimated memory the row holds while buffered
 */
record SinkRow(
    String collection,
    String item,
    TopicPartition tp,
    long offset,
    GenericRecord row,
    long bytes) {}
