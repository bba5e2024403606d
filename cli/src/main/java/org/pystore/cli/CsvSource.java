package org.pystore.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.apache.avro.Schema;
import org.apache.avro.SchemaParseException;
import picocli.CommandLine;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** The CSV input options that write and append share. */
final class CsvSource {
  @Spec(Spec.Target.MIXEE)
  CommandLine.Model.CommandSpec spec;

  @Option(
      names = "--csv",
      paramLabel = "FILE",
      required = true,
      description = "CSV file with a header row.")
  Path csv;

  @Option(
      names = "--index",
      paramLabel = "COL",
      description = "Index column (default: the first column).")
  String index;

  private String indexUnit;

  @Option(
      names = "--index-unit",
      paramLabel = "s|ms|us|ns",
      description = "Index cells are epoch numbers in this unit (default: ISO-8601 timestamps).")
  void setIndexUnit(String unit) {
    if (!unit.equals("s") && !unit.equals("ms") && !unit.equals("us") && !unit.equals("ns")) {
      throw new CommandLine.ParameterException(
          spec.commandLine(), "--index-unit must be one of s, ms, us, ns, not '" + unit + "'");
    }
    this.indexUnit = unit;
  }

  @Option(
      names = "--schema",
      paramLabel = "FILE",
      description = "Avro record schema (JSON) giving every column's type (default: inferred).")
  Path schemaFile;

  String indexUnit() {
    return indexUnit;
  }

  /** The --schema file's schema, or null. */
  Schema schema() {
    if (schemaFile == null) {
      return null;
    }
    try {
      return new Schema.Parser().parse(Files.readString(schemaFile));
    } catch (NoSuchFileException e) {
      throw new UserException("schema file " + schemaFile + " does not exist");
    } catch (IOException | SchemaParseException e) {
      throw new UserException("cannot read Avro schema " + schemaFile + ": " + e.getMessage(), e);
    }
  }
}
