package org.pystore.cli;

import java.util.function.Supplier;
import org.pystore.store.PyStoreException;
import picocli.CommandLine;

/** The one rule for bad option values: a usage error (exit 2) naming the option. */
final class Usage {
  private Usage() {}

  /**
   * Reads an option's value; a value the store or a parser refuses is a usage error.
   *
   * @param cmd the command
   * @param option the option, as typed ({@code --from})
   * @param parse reads the value
   * @return the value
   */
  static <T> T option(CommandLine cmd, String option, Supplier<T> parse) {
    try {
      return parse.get();
    } catch (PyStoreException | IllegalArgumentException e) {
      throw bad(cmd, option, e.getMessage());
    }
  }

  /** A usage error for an option's value. */
  static CommandLine.ParameterException bad(CommandLine cmd, String option, String why) {
    return new CommandLine.ParameterException(
        cmd, "invalid value for " + option + ": " + PyStoreCli.oneLine(why));
  }
}
