package org.pystore.cli;

import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.pystore.store.ItemOptions;
import org.pystore.store.Store;
import org.pystore.store.migrate.PyStoreImport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(
    name = "import",
    description = {
      "Adopt items written by PyStore (pandas + dask; pyarrow or fastparquet parts) into the"
          + " commit log, in place: --store is the PyStore store directory. Every PyStore part"
          + " is rewritten as sorted, bucketed store parts and committed at once; only then do the"
          + " PyStore files move to <item>/_pystore_originals/. Run it again at any time: files"
          + " already imported are skipped, files PyStore wrote since are adopted.",
    })
final class ImportCommand implements Callable<Integer> {
  @ParentCommand PyStoreCli top;
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", arity = "0..1", paramLabel = "COLLECTION[/ITEM]")
  String target;

  @Option(
      names = "--index",
      paramLabel = "COLUMN",
      description = "The column to use as the index (default: the pandas index of each file).")
  String index;

  @Option(
      names = "--epoch-unit",
      paramLabel = "s|ms|us|ns",
      description =
          "Unit of an integer (epoch) index (default: guessed from the magnitude of its first"
              + " value; PyStore's epochdate writes ns).")
  String epochUnit;

  @Mixin LayoutOptions layout;

  @Option(names = "--dry-run", description = "List what would be imported; change nothing.")
  boolean dryRun;

  @Override
  public Integer call() {
    Scope scope = Scope.parse(spec.commandLine(), target);
    ItemOptions options = layout.options(null, List.of());
    PyStoreImport.Options how =
        Usage.option(
            spec.commandLine(),
            "--epoch-unit",
            () -> new PyStoreImport.Options(index, epochUnit, options, dryRun));
    Store store = top.openStore(); // the PyStore store must exist
    if (!dryRun) {
      // a real import adds pystore_metadata.json to it, on the storage already opened
      store = Store.open(store.storage(), org.pystore.store.StoreOptions.defaults());
    }
    PyStoreImport importer =
        new PyStoreImport(store, how, top.quiet ? null : line -> System.err.println("  " + line));
    List<PyStoreImport.ItemReport> reports =
        scope.collection() == null
            ? importer.importStore()
            : scope.item() == null
                ? importer.importCollection(scope.collection())
                : List.of(importer.importItem(scope.collection(), scope.item()));
    int failed = 0;
    int files = 0;
    long rows = 0;
    for (PyStoreImport.ItemReport r : reports) {
      if (r.error() != null) {
        failed++;
        System.out.println(r.label() + ": NOT imported: " + r.error());
        continue;
      }
      files += r.files();
      rows += r.rows();
      if (r.files() == 0) {
        System.out.println(
            r.label()
                + ": nothing new to import"
                + (r.recovered() > 0
                    ? " (moved " + r.recovered() + " files an interrupted import had committed)"
                    : ""));
        continue;
      }
      System.out.printf(
          Locale.ROOT,
          "%s: %s %d rows from %d PyStore files%s%s%s%n",
          r.label(),
          dryRun ? "would import" : r.created() ? "imported" : "adopted",
          r.rows(),
          r.files(),
          dryRun ? "" : " into " + r.parts() + " parts as version " + r.version(),
          r.unsorted().isEmpty() ? "" : "; unsorted (sorted now): " + r.unsorted(),
          r.spanning().isEmpty() ? "" : "; spanning buckets (split now): " + r.spanning());
      for (String note : r.notes()) {
        System.out.println("  " + note);
      }
    }
    System.out.printf(
        Locale.ROOT,
        "import of %s: %d items, %s %d rows from %d files%s%n",
        scope,
        reports.size() - failed,
        dryRun ? "would import" : "imported",
        rows,
        files,
        failed == 0 ? "" : "; " + failed + " items failed (listed above, left untouched)");
    return failed == 0 ? 0 : 1;
  }
}
