package org.pystore.cli;

import java.io.PrintWriter;
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
      ReadCommand.class,
      InfoCommand.class,
      MetadataCommand.class,
      HistoryCommand.class,
      SnapshotCommand.class,
      CompactCommand.class,
      VacuumCommand.class,
      ImportCommand.class,
      DeleteCommand.class,
      VerifyCommand.class
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

  /** The store this invocation works on. */
  Store openStore() {
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
    return Store.open(location, StoreOptions.defaults());
  }

  /** Builds the command line with our error handling. */
  public static CommandLine commandLine() {
    CommandLine cli = new CommandLine(new PyStoreCli());
    cli.setCaseInsensitiveEnumValuesAllowed(true);
    cli.setExecutionExceptionHandler(
        (ex, cmd, parsed) -> {
          PrintWriter err = cmd.getErr();
          if (ex instanceof CommandLine.ParameterException) {
            err.println("pystore: " + ex.getMessage());
            return CommandLine.ExitCode.USAGE;
          }
          if (ex instanceof PyStoreException || ex instanceof UserException) {
            err.println("pystore: " + oneLine(ex.getMessage()));
            return CommandLine.ExitCode.SOFTWARE;
          }
          throw ex;
        });
    return cli;
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
