package org.pystore.cli;

/** A user error found by the command itself (bad CSV, unreadable file): exit 1. */
final class UserException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  UserException(String message) {
    super(message);
  }

  UserException(String message, Throwable cause) {
    super(message, cause);
  }
}
