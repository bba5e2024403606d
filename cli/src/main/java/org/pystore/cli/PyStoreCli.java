package org.pystore.cli;

import java.io.PrintWriter;
import java.util.Map;
import org.pystore.store.PyStoreException;
import org.pystore.store.Store;
import org.pystore.store.StoreOptions;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The {@code pystore} command. Exit codes: 0 success, 1 a user error (missing item, bad input,
 * refused name) with a one-line message on stderr, 2 bad usage.
 */
@Command(
    name = "pystore",
    mixinStandardHelpOptions = true,
    version = "pystore " + Store.VERSION,
    description = "Inspect, read, write and snapshot a PyStore-compatible time-series store.",
    subcommands = {
      CollectionsCommand.class,
      ItemsCommand.class,
      WriteCommand.class,
      AppendCommand.class,
      ApplyCommand.class,
      ReadCommand.class,
      InfoCommand.class,
      PlotCommand.class,
      MetadataCommand.class,
      RulesCommand.class,
      HistoryCommand.class,
      SnapshotCommand.class,
      CompactCommand.class,
      VacuumCommand.class,
      ImportCommand.class,
      DeleteCommand.class,
      VerifyCommand.class,
      DemoCommand.class,
      CommandLine.HelpCommand.class
    })
public final class PyStoreCli {
  /** The environment variable naming the store when {@code --store} is not given. */
  public static final String STORE_ENV = "PYSTORE_STORE";

  @Spec CommandLine.Model.CommandSpec spec;

  @Option(
      names = "--store",
      paramLabel = "DIR|s3://BUCKET/PREFIX",
      description =
          "The store: a directory, or s3://bucket/prefix (default: $"
              + STORE_ENV
              + "). On S3, credentials, region and endpoint come from the AWS SDK's"
              + " standard sources (AWS_ACCESS_KEY_ID, AWS_REGION, AWS_ENDPOINT_URL_S3,"
              + " profiles); PYSTORE_S3_PATH_STYLE=true turns on path-style access.",
      scope = CommandLine.ScopeType.INHERIT)
  String store;

  @Option(
      names = {"-q", "--quiet"},
      description = "No progress lines (they show only on a terminal anyway).",
      scope = CommandLine.ScopeType.INHERIT)
  boolean quiet;

  /** The store this invocation works on, which must exist: only writes create a store. */
  Store openStore() {
    return Store.openExisting(location(), StoreOptions.defaults(), Map.of());
  }

  /** The store an item is written into, created when missing. */
  Store openOrCreateStore() {
    return Store.open(location(), StoreOptions.defaults());
  }

  private String location() {
    String location = store;
    if (location == null) {
      String env = System.getenv(STORE_ENV);
      if (env == null || env.isBlank()) {
        throw new CommandLine.ParameterException(
            spec.commandLine(), "no store given: pass --store DIR or set " + STORE_ENV);
      }
      location = env.trim();
    }
    if (location.isBlank()) {
      throw new CommandLine.ParameterException(
          spec.commandLine(), "--store is empty: give a directory or s3://bucket/prefix");
    }
    return location;
  }

  /** Builds the command line with our error handling. */
  public static CommandLine commandLine() {
    CommandLine cli = new CommandLine(new PyStoreCli());
    withHelp(cli);
    cli.setCaseInsensitiveEnumValuesAllowed(true);
    cli.setParameterExceptionHandler((ex, args) -> usageError(ex));
    cli.setExecutionExceptionHandler(
        (ex, cmd, parsed) -> {
          PrintWriter err = cmd.getErr();
          if (ex instanceof CommandLine.ParameterException pe) {
            return usageError(pe);
          }
          if (ex instanceof PyStoreException || ex instanceof UserException) {
            err.println("pystore: " + oneLine(ex.getMessage()));
            return CommandLine.ExitCode.SOFTWARE;
          }
          throw ex;
        });
    return cli;
  }

  /**
   * A usage error: the one line that says what is wrong, a suggestion for a mistyped command or
   * option, and where the help is; not the whole usage text.
   */
  private static int usageError(CommandLine.ParameterException ex) {
    CommandLine cmd = ex.getCommandLine();
    PrintWriter err = cmd.getErr();
    err.println("pystore: " + oneLine(ex.getMessage()));
    String near = suggestion(ex);
    if (near != null) {
      err.println("Did you mean '" + near + "'?");
    }
    err.println("Run '" + cmd.getCommandSpec().qualifiedName() + " --help' for usage.");
    return CommandLine.ExitCode.USAGE;
  }

  /**
   * {@code -h, --help} on every subcommand ({@code --version} is taken: it selects an item's
   * version), so that {@code pystore read --help} shows help even without the item it needs.
   */
  private static void withHelp(CommandLine cmd) {
    for (CommandLine sub : cmd.getSubcommands().values()) {
      if (sub.getCommand() instanceof CommandLine.HelpCommand) {
        continue;
      }
      if (!sub.getCommandSpec().optionsMap().containsKey("--help")) {
        sub.getCommandSpec()
            .addOption(
                CommandLine.Model.OptionSpec.builder("-h", "--help")
                    .usageHelp(true)
                    .description("Show this help message and exit.")
                    .build());
      }
      withHelp(sub);
    }
  }

  /** The command or option nearest a mistyped one (at most two edits away), or null. */
  static String suggestion(CommandLine.ParameterException ex) {
    if (!(ex instanceof CommandLine.UnmatchedArgumentException u) || u.getUnmatched().isEmpty()) {
      return null;
    }
    String typed = u.getUnmatched().get(0);
    CommandLine.Model.CommandSpec spec = ex.getCommandLine().getCommandSpec();
    java.util.Collection<String> names =
        typed.startsWith("-") ? spec.optionsMap().keySet() : spec.subcommands().keySet();
    String best = null;
    int bestDistance = 3;
    for (String n : names) {
      int d = distance(typed, n);
      if (d < bestDistance) {
        best = n;
        bestDistance = d;
      }
    }
    return best == null ? null : typed.startsWith("-") ? best : spec.qualifiedName() + " " + best;
  }

  /** Edit distance (insertions, deletions, substitutions, swaps of neighbours). */
  static int distance(String a, String b) {
    int[][] d = new int[a.length() + 1][b.length() + 1];
    for (int i = 0; i <= a.length(); i++) {
      d[i][0] = i;
    }
    for (int j = 0; j <= b.length(); j++) {
      d[0][j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
        if (i > 1
            && j > 1
            && a.charAt(i - 1) == b.charAt(j - 2)
            && a.charAt(i - 2) == b.charAt(j - 1)) {
          d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
        }
      }
    }
    return d[a.length()][b.length()];
  }

  static String oneLine(String s) {
    return s == null ? "failed" : s.replace('\n', ' ').replace('\r', ' ');
  }

  /**
   * Runs the command.
   *
   * @param args command-line arguments
   */
  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }
}
