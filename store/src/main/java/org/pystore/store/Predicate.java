package org.pystore.store;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A simple row filter {@code column op value}, e.g. {@code price > 10.5} or {@code sym = AAPL}. The
 * value is typed against the column when a read starts. Rows whose column is null never match.
 * Pushed down to Parquet statistics where the column allows it.
 *
 * @param column a top-level column
 * @param op the comparison
 * @param literal the value as written (quotes removed)
 */
public record Predicate(String column, Op op, String literal) {
  private static final Pattern SYNTAX =
      Pattern.compile("\\s*([^\\s=!<>]+)\\s*(==|=|!=|<>|<=|>=|<|>)\\s*(.*?)\\s*");

  /** The comparisons. */
  public enum Op {
    EQ("="),
    NE("!="),
    LT("<"),
    LE("<="),
    GT(">"),
    GE(">=");

    private final String symbol;

    Op(String symbol) {
      this.symbol = symbol;
    }

    /** Whether a comparison result ({@code compare(value, literal)}) satisfies this op. */
    public boolean test(int cmp) {
      switch (this) {
        case EQ:
          return cmp == 0;
        case NE:
          return cmp != 0;
        case LT:
          return cmp < 0;
        case LE:
          return cmp <= 0;
        case GT:
          return cmp > 0;
        default:
          return cmp >= 0;
      }
    }

    public String symbol() {
      return symbol;
    }
  }

  /**
   * Parses {@code COL OP VALUE}; OP is one of = == != &lt;&gt; &lt; &lt;= &gt; &gt;=; VALUE may be
   * quoted with ' or ".
   *
   * @param text the filter
   * @return the predicate
   * @throws InvalidDataException when the text does not have that shape
   */
  public static Predicate parse(String text) {
    Matcher m = SYNTAX.matcher(text == null ? "" : text);
    if (!m.matches() || m.group(3).isEmpty()) {
      throw new InvalidDataException(
          "cannot parse filter '"
              + text
              + "'; write COLUMN OP VALUE with OP one of = != < <= > >=, e.g. \"price > 10.5\"");
    }
    String op = m.group(2);
    Op parsed;
    switch (op) {
      case "=":
      case "==":
        parsed = Op.EQ;
        break;
      case "!=":
      case "<>":
        parsed = Op.NE;
        break;
      case "<":
        parsed = Op.LT;
        break;
      case "<=":
        parsed = Op.LE;
        break;
      case ">":
        parsed = Op.GT;
        break;
      default:
        parsed = Op.GE;
        break;
    }
    String v = m.group(3);
    if (v.length() >= 2
        && (v.charAt(0) == '\'' || v.charAt(0) == '"')
        && v.charAt(v.length() - 1) == v.charAt(0)) {
      v = v.substring(1, v.length() - 1);
    }
    return new Predicate(m.group(1), parsed, v);
  }

  @Override
  public String toString() {
    return String.format(Locale.ROOT, "%s %s %s", column, op.symbol(), literal);
  }
}
