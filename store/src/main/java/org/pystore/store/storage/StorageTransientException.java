package org.pystore.store.storage;

import java.io.IOException;

/**
 * A storage failure that is likely to pass: a timeout, a reset connection, throttling, a service
 * briefly unavailable. The backend already retried a bounded number of times; the caller may retry
 * the whole operation later.
 */
public class StorageTransientException extends IOException {
  private static final long serialVersionUID = 1L;

  public StorageTransientException(String message, Throwable cause) {
    super(message, cause);
  }
}
