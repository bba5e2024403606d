package org.pystore.store;

import java.util.List;
import org.apache.avro.generic.GenericRecord;

/**
 * A custom validation rule, found with {@link java.util.ServiceLoader}: list the class in {@code
 * META-INF/services/org.pystore.store.Validator} of a jar on the writer's classpath (for the sink:
 * in the plugin's directory). A rule {@code custom=NAME[:ARGUMENT]} calls the validator whose
 * {@link #name()} is NAME on every batch written to the item. Every writer of the item must have
 * it: a writer that cannot find it refuses to write, rather than write unchecked rows.
 */
public interface Validator {
  /** The name rules use. */
  String name();

  /**
   * Checks a batch.
   *
   * @param rows the batch, in arrival order, each in the batch's schema
   * @param argument the text after the name's colon in the rule, or null
   * @return the first offending row and what is wrong with it, or null when every row passes
   */
  Violation validate(List<? extends GenericRecord> rows, String argument);

  /**
   * A row a validator refuses.
   *
   * @param row its position in the batch (0 for the first)
   * @param column the column at fault, or null
   * @param problem what is wrong, for the message (e.g. "price 0.0 is not above the bid")
   */
  record Violation(int row, String column, String problem) {}
}
