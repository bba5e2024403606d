package org.pystore.store;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * One validation rule of an item or a collection, enforced on every write (see {@link Rules}). Its
 * text form is what {@code pystore rules --set} takes and {@code pystore info} shows:
 *
 * <ul>
 *   <li>{@code required=COL}: every batch has the column;
 *   <li>{@code not-null=COL}: no null in it;
 *   <li>{@code range=COL:MIN..MAX}: numbers within MIN and MAX, inclusive (either may be left out:
 *       {@code range=price:0..});
 *   <li>{@code finite=COL}: no NaN or infinity;
 *   <li>{@code allowed=COL:A|B|C}: only these values;
 *   <li>{@code max-lateness=DURATION}: no index older than the item's end minus DURATION ({@code
 *       30s}, {@code 15m}, {@code 1h}, {@code 2d});
 *   <li>{@code increasing-index}: the index strictly increases within a batch, in arrival order;
 *   <li>{@code custom=NAME[:ARGUMENT]}: a {@link Validator} found on the classpath.
 * </ul>
 *
 * @param kind the rule's kind, as above
 * @param column the column it checks, or null for rules of the index
 * @param argument its argument (the range, the values, the duration, the validator's argument), or
 *     null
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Rule(String kind, String column, String argument) {
  static final Set<String> KINDS =
      Set.of(
          "required",
          "not-null",
          "range",
          "finite",
          "allowed",
          "max-lateness",
          "increasing-index",
          "custom");

  /** Checks the rule's shape. */
  public Rule {
    if (kind == null || !KINDS.contains(kind)) {
      throw new InvalidDataException(
          "unknown rule kind '"
              + kind
              + "'; the kinds are required, not-null, range, finite, allowed, max-lateness,"
              + " increasing-index and custom (see docs/validation.md)");
    }
    boolean needsColumn =
        Set.of("required", "not-null", "range", "finite", "allowed").contains(kind);
    if (needsColumn && (column == null || column.isBlank())) {
      throw new InvalidDataException("rule " + kind + " needs a column: " + kind + "=COLUMN...");
    }
    if (kind.equals("range")) {
      range(argument, kind + "=" + column);
    } else if (kind.equals("allowed") && (argument == null || argument.isEmpty())) {
      throw new InvalidDataException("rule allowed=" + column + " needs values: allowed=COL:A|B|C");
    } else if (kind.equals("max-lateness")) {
      lateness(argument);
    } else if (kind.equals("custom") && (column == null || column.isBlank())) {
      throw new InvalidDataException("rule custom needs a validator's name: custom=NAME[:ARG]");
    }
  }

  /**
   * Parses a rule's text form.
   *
   * @param text e.g. {@code range=price:0..1000000}
   * @return the rule
   * @throws InvalidDataException naming what is wrong
   */
  public static Rule parse(String text) {
    String t = text.strip();
    int eq = t.indexOf('=');
    String kind = (eq < 0 ? t : t.substring(0, eq)).strip().toLowerCase(Locale.ROOT);
    String rest = eq < 0 ? null : t.substring(eq + 1).strip();
    if (kind.equals("max-lateness")) {
      return new Rule(kind, null, rest);
    }
    if (kind.equals("increasing-index")) {
      if (rest != null) {
        throw new InvalidDataException("rule increasing-index takes no argument, got '" + t + "'");
      }
      return new Rule(kind, null, null);
    }
    if (rest == null) {
      return new Rule(kind, null, null); // the constructor says what is missing
    }
    int colon = rest.indexOf(':');
    String column = (colon < 0 ? rest : rest.substring(0, colon)).strip();
    String argument = colon < 0 ? null : rest.substring(colon + 1).strip();
    return new Rule(kind, column, argument);
  }

  /** The text form, which {@link #parse} reads back. */
  @Override
  public String toString() {
    if (column == null) {
      return argument == null ? kind : kind + "=" + argument;
    }
    return kind + "=" + column + (argument == null ? "" : ":" + argument);
  }

  /** The bounds of a range rule; either may be null. */
  static BigDecimal[] range(String argument, String rule) {
    int dots = argument == null ? -1 : argument.indexOf("..");
    if (dots < 0) {
      throw new InvalidDataException(
          "rule " + rule + " needs bounds: " + rule + ":MIN..MAX (either may be left out)");
    }
    try {
      String lo = argument.substring(0, dots).strip();
      String hi = argument.substring(dots + 2).strip();
      BigDecimal[] out = {
        lo.isEmpty() ? null : new BigDecimal(lo), hi.isEmpty() ? null : new BigDecimal(hi)
      };
      if (out[0] == null && out[1] == null) {
        throw new InvalidDataException("rule " + rule + " needs at least one bound");
      }
      if (out[0] != null && out[1] != null && out[0].compareTo(out[1]) > 0) {
        throw new InvalidDataException(
            "rule " + rule + ":" + argument + " has its minimum above its maximum");
      }
      return out;
    } catch (NumberFormatException e) {
      throw new InvalidDataException(
          "rule " + rule + ":" + argument + " has a bound that is not a number");
    }
  }

  /** The duration of a max-lateness rule. */
  static Duration lateness(String argument) {
    if (argument == null || argument.length() < 2) {
      throw new InvalidDataException(
          "rule max-lateness needs a duration: max-lateness=30s, 15m, 1h or 2d");
    }
    char unit = argument.charAt(argument.length() - 1);
    long n;
    try {
      n = Long.parseLong(argument.substring(0, argument.length() - 1));
    } catch (NumberFormatException e) {
      n = -1;
    }
    if (n < 0 || "smhd".indexOf(unit) < 0) {
      throw new InvalidDataException(
          "rule max-lateness=" + argument + ": the duration must be like 30s, 15m, 1h or 2d");
    }
    return switch (unit) {
      case 's' -> Duration.ofSeconds(n);
      case 'm' -> Duration.ofMinutes(n);
      case 'h' -> Duration.ofHours(n);
      default -> Duration.ofDays(n);
    };
  }

  /** The values an allowed rule lets through. */
  Set<String> allowedValues() {
    return new LinkedHashSet<>(List.of(argument.split("\\|", -1)));
  }
}
