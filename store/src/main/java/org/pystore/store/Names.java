package org.pystore.store;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The naming rule for collections, items and snapshots, the same on every platform.
 *
 * <p>A valid name is 1 to 200 characters (at most 255 UTF-8 bytes) and
 *
 * <ul>
 *   <li>contains none of {@code / \ : * ? " < > |}, no control character, and {@code %} only as the
 *       start of an escape {@code %XX} (two hex digits);
 *   <li>does not start with {@code _} or {@code .} (such files are private to the store and
 *       invisible to pandas), and does not end with {@code .} or a space;
 *   <li>is not a name Windows reserves ({@code CON}, {@code PRN}, {@code AUX}, {@code NUL}, {@code
 *       COM0}-{@code COM9}, {@code LPT0}-{@code LPT9}, with or without an extension, any case).
 * </ul>
 *
 * <p>So no name can leave the store root or collide with a private file. Names that come from data
 * (record keys) can be made valid with {@link #encode}, which percent-encodes each offending
 * character as its UTF-8 bytes ({@code a/b} becomes {@code a%2Fb}); {@link #decode} reverses it.
 * Every valid name without {@code %} encodes to itself.
 */
public final class Names {
  private static final int MAX_CHARS = 200;
  private static final int MAX_BYTES = 255;
  private static final String FORBIDDEN = "/\\:*?\"<>|";
  private static final Pattern RESERVED =
      Pattern.compile(
          "(CON|PRN|AUX|NUL|COM[0-9¹²³]|LPT[0-9¹²³])(\\..*)?", Pattern.CASE_INSENSITIVE);
  private static final Set<String> KINDS = Set.of("collection", "item", "snapshot");

  private Names() {}

  /**
   * Checks a name against the rule.
   *
   * @param kind what the name is for, used in the message ("collection", "item", "snapshot")
   * @param name the name to check
   * @return the name itself
   * @throws InvalidNameException naming the broken part of the rule and what to do
   */
  public static String check(String kind, String name) {
    String problem = problem(name);
    if (problem != null) {
      String what = KINDS.contains(kind) ? kind : "name";
      throw new InvalidNameException(
          what
              + " name '"
              + printable(name)
              + "' is refused: "
              + problem
              + "; choose another name, or derive one with Names.encode (a/b becomes a%2Fb)");
    }
    return name;
  }

  /**
   * Tells whether a name follows the rule.
   *
   * @param name the name
   * @return true when {@link #check} would accept it
   */
  public static boolean isValid(String name) {
    return problem(name) == null;
  }

  private static String problem(String name) {
    if (name == null || name.isEmpty()) {
      return "it is empty";
    }
    if (name.length() > MAX_CHARS || name.getBytes(StandardCharsets.UTF_8).length > MAX_BYTES) {
      return "it is longer than " + MAX_CHARS + " characters or " + MAX_BYTES + " bytes";
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (Character.isISOControl(c)) {
        return "it contains a control character";
      }
      if (FORBIDDEN.indexOf(c) >= 0) {
        return "it contains '" + c + "' (none of " + FORBIDDEN + " may appear)";
      }
      if (c == '%' && !(isHex(name, i + 1) && isHex(name, i + 2))) {
        return "it contains '%' that does not start an escape %XX";
      }
    }
    char first = name.charAt(0);
    if (first == '_' || first == '.') {
      return "it starts with '" + first + "' (reserved for the store's private files)";
    }
    char last = name.charAt(name.length() - 1);
    if (last == '.' || last == ' ') {
      return "it ends with '" + last + "' (Windows drops it)";
    }
    if (RESERVED.matcher(name).matches()) {
      return "Windows reserves it as a device name";
    }
    return null;
  }

  /**
   * Turns any non-empty string into a valid name, reversibly.
   *
   * @param raw a string from data, e.g. a record key
   * @return a valid name; the same string when it is already valid
   * @throws InvalidNameException when the string is empty or too long even before encoding
   */
  public static String encode(String raw) {
    if (raw == null || raw.isEmpty()) {
      throw new InvalidNameException(
          "an empty name cannot be encoded; give the record a non-empty key or item field");
    }
    if (raw.indexOf('%') < 0 && isValid(raw)) {
      return raw;
    }
    StringBuilder out = new StringBuilder(raw.length() + 8);
    int n = raw.length();
    for (int i = 0; i < n; ) {
      int cp = raw.codePointAt(i);
      int len = Character.charCount(cp);
      boolean edgeFirst = i == 0 && (cp == '_' || cp == '.');
      boolean edgeLast = i + len == n && (cp == '.' || cp == ' ');
      if (edgeFirst
          || edgeLast
          || cp < 0x20
          || (cp >= 0x7f && cp <= 0x9f)
          || cp == '%'
          || (cp < 0x80 && FORBIDDEN.indexOf(cp) >= 0)) {
        for (byte b : new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8)) {
          out.append('%').append(String.format(Locale.ROOT, "%02X", b & 0xff));
        }
      } else {
        out.appendCodePoint(cp);
      }
      i += len;
    }
    String encoded = out.toString();
    if (RESERVED.matcher(encoded).matches()) {
      encoded =
          String.format(Locale.ROOT, "%%%02X", (int) encoded.charAt(0)) + encoded.substring(1);
    }
    return check("name", encoded);
  }

  /**
   * Reverses {@link #encode}.
   *
   * @param name a valid name
   * @return the original string
   */
  public static String decode(String name) {
    if (name.indexOf('%') < 0) {
      return name;
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(name.length());
    for (int i = 0; i < name.length(); ) {
      char c = name.charAt(i);
      if (c == '%' && isHex(name, i + 1) && isHex(name, i + 2)) {
        bytes.write(Integer.parseInt(name.substring(i + 1, i + 3), 16));
        i += 3;
      } else {
        int cp = name.codePointAt(i);
        byte[] b = new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8);
        bytes.write(b, 0, b.length);
        i += Character.charCount(cp);
      }
    }
    return bytes.toString(StandardCharsets.UTF_8);
  }

  private static boolean isHex(String s, int i) {
    return i < s.length() && Character.digit(s.charAt(i), 16) >= 0;
  }

  private static String printable(String name) {
    if (name == null) {
      return "null";
    }
    StringBuilder sb = new StringBuilder();
    name.codePoints()
        .forEach(
            cp -> {
              if (Character.isISOControl(cp)) {
                sb.append(String.format(Locale.ROOT, "\\u%04x", cp));
              } else {
                sb.appendCodePoint(cp);
              }
            });
    return sb.toString();
  }
}
