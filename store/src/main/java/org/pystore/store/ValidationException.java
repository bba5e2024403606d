package org.pystore.store;

/**
 * Rows a validation rule of the item or its collection refuses; nothing was written. The message
 * names the rule, the column and the first offending row.
 */
public class ValidationException extends InvalidDataException {
  private static final long serialVersionUID = 1L;

  private final transient Rule rule;
  private final int row;
  private final String reason;

  public ValidationException(String message, Rule rule, int row, String reason) {
    super(message);
    this.rule = rule;
    this.row = row;
    this.reason = reason;
  }

  /**
   * What is wrong with the offending row on its own, for a report about that row (the sink's dead
   * letter queue): {@code it breaks rule R of 'c/i' (column C): PROBLEM}.
   */
  public String reason() {
    return reason;
  }

  /** The rule the rows break. */
  public Rule rule() {
    return rule;
  }

  /** The first offending row's position in the batch (0 for the first), or -1 for the batch. */
  public int row() {
    return row;
  }
}
