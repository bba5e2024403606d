package org.pystore.store;

/** A version was asked for whose replaced parts vacuum has deleted: it cannot be read any more. */
public class VersionVacuumedException extends NotFoundException {
  private static final long serialVersionUID = 1L;

  public VersionVacuumedException(String item, long version, long oldestReadable, long latest) {
    super(
        "version "
            + version
            + " of '"
            + item
            + "' was vacuumed (the parts it replaced are deleted once the retention period"
            + " passes); "
            + (oldestReadable == latest
                ? "only version " + latest + " is"
                : "versions " + oldestReadable + " to " + latest + " are")
            + " readable ('pystore history' shows which); a snapshot keeps a version"
            + " readable");
  }
}
