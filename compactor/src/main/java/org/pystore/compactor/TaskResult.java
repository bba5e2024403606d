package org.pystore.compactor;

/**
 * What one merge did.
 *
 * @param bucket the bucket
 * @param outcome committed, or why not
 * @param inputParts parts merged
 * @param outputParts parts written (0 unless committed)
 * @param rowsIn rows read, before dedupe
 * @param rowsOut rows written
 * @param duplicatesRemoved rows the dedupe policy dropped
 * @param bytesIn bytes of the inputs
 * @param bytesOut bytes of the outputs
 * @param version the version committed, or -1
 * @param millis time taken
 * @param message why it was aborted, or null
 */
public record TaskResult(
    String bucket,
    Outcome outcome,
    int inputParts,
    int outputParts,
    long rowsIn,
    long rowsOut,
    long duplicatesRemoved,
    long bytesIn,
    long bytesOut,
    long version,
    long millis,
    String message) {

  /** How a merge ended. */
  public enum Outcome {
    /** The merged parts replaced the inputs. */
    COMMITTED,
    /** Another writer removed an input first (a second compactor, an overwrite, a delete). */
    CONFLICT,
    /** The compactor was stopping; the merge was abandoned and its files removed. */
    ABANDONED,
    /**
     * An input part failed its check (its size or checksum differs from its commit, or it cannot be
     * read): the bucket was left untouched, so a damaged file is never merged into good ones.
     */
    REFUSED
  }
}
