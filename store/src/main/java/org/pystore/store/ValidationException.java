package org.pystore.store;

/**
 * Rows a validation rule of the item or its collection refuses; nothing was written. The message
 * names the rule, the column and the first offending row.
 */
public class ValidationException extends InvalidDataException {
  private static final long serialVersionUID = 1L;

  private final transient Rule rule;
  private final int row;

  public ValidationException(String message, Rule rule, int row) {
    super(message);
    this.rule = rule;
    this.row = row;
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
