package org.pystore.store;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.List;
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
 *   <li>is in Unicode NFC form;
 *   <li>is not a name Windows reserves ({@code CON}, {@code PRN}, {@code AUX}, {@code NUL}, {@code
 *       COM0}-{@code COM9}, {@code LPT0}-{@code LPT9}, with or without an extension, any case).
 * </ul>
 *
 * <p>So no name can leave the store root or collide with a private file. Names that come from data
 * (record keys) can be made valid with {@link #encode}, which percent-encodes each offending
 * character as its UTF-8 bytes ({@code a/b} becomes {@code a%2Fb}); {@link #decode} reverses it.
 * Every valid name without {@code %} encodes to itself.
 *
 * <p>Within one collection, no two items may differ only in case or Unicode normalization (see
 * {@link #folded}): on macOS and Windows they would share one directory, so the store refuses the
 * second on every platform.
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
              + "; choose another name, or escape the characters it refuses as %XX (a/b becomes"
              + " a%2Fb; Names.encode does it in Java)");
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
    if (!Normalizer.isNormalized(name, Normalizer.Form.NFC)) {
      return "it is not in Unicode NFC form (macOS would store it as another name's twin)";
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
    appendEncoded(out, raw, true, true, !Normalizer.isNormalized(raw, Normalizer.Form.NFC));
    return finish(out);
  }

  /**
   * Turns any non-empty byte string (a binary record key) into a valid name, reversibly: valid
   * UTF-8 gives the same name as {@link #encode(String)} of its text, and every byte that is not
   * part of valid UTF-8 becomes {@code %XX}. So distinct byte strings give distinct names (bytes
   * {@code C3} and {@code FF} and the text "\uFFFD" are three items, never one).
   *
   * @param raw the bytes
   * @return a valid name
   * @throws InvalidNameException when the bytes are empty or the name too long
   */
  public static String encode(byte[] raw) {
    if (raw == null || raw.length == 0) {
      throw new InvalidNameException(
          "an empty name cannot be encoded; give the record a non-empty key or item field");
    }
    CharsetDecoder decoder =
        StandardCharsets.UTF_8
            .newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
    ByteBuffer in = ByteBuffer.wrap(raw);
    CharBuffer text = CharBuffer.allocate(raw.length);
    List<Object> segments = new ArrayList<>(); // String runs of valid text, Integer stray bytes
    while (true) {
      CoderResult cr = decoder.decode(in, text, true);
      if (cr.isError()) {
        text.flip();
        if (text.hasRemaining()) {
          segments.add(text.toString());
        }
        text.clear();
        for (int i = 0; i < cr.length(); i++) {
          segments.add(in.get() & 0xff);
        }
        continue;
      }
      decoder.flush(text);
      text.flip();
      if (text.hasRemaining()) {
        segments.add(text.toString());
      }
      break;
    }
    if (segments.size() == 1 && segments.get(0) instanceof String whole) {
      return encode(whole);
    }
    boolean nfc = true;
    for (Object seg : segments) {
      if (seg instanceof String t && !Normalizer.isNormalized(t, Normalizer.Form.NFC)) {
        nfc = false;
      }
    }
    StringBuilder out = new StringBuilder(raw.length * 2);
    for (int i = 0; i < segments.size(); i++) {
      Object seg = segments.get(i);
      if (seg instanceof String t) {
        appendEncoded(out, t, i == 0, i == segments.size() - 1, !nfc);
      } else {
        out.append('%').append(String.format(Locale.ROOT, "%02X", (Integer) seg));
      }
    }
    return finish(out);
  }

  /**
   * Appends text, percent-encoding what a name may not hold. When the whole string is not in NFC
   * form, the characters that normalization would change (combining marks, compatibility
   * characters, conjoining jamo) are encoded too, so that no two strings that a file system would
   * normalize alike share a directory.
   */
  private static void appendEncoded(
      StringBuilder out, String raw, boolean atStart, boolean atEnd, boolean denormalized) {
    int n = raw.length();
    for (int i = 0; i < n; ) {
      int cp = raw.codePointAt(i);
      int len = Character.charCount(cp);
      boolean edgeFirst = atStart && i == 0 && (cp == '_' || cp == '.');
      boolean edgeLast = atEnd && i + len == n && (cp == '.' || cp == ' ');
      if (edgeFirst
          || edgeLast
          || cp < 0x20
          || (cp >= 0x7f && cp <= 0x9f)
          || cp == '%'
          || (denormalized && normalizes(cp))
          || (cp < 0x80 && FORBIDDEN.indexOf(cp) >= 0)) {
        escape(out, cp);
      } else {
        out.appendCodePoint(cp);
      }
      i += len;
    }
  }

  private static void escape(StringBuilder out, int cp) {
    for (byte b : new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8)) {
      out.append('%').append(String.format(Locale.ROOT, "%02X", b & 0xff));
    }
  }

  /** Whether NFC may change or merge this character: a mark, a jamo, or not stable alone. */
  private static boolean normalizes(int cp) {
    if (cp < 0x80) {
      return false;
    }
    int type = Character.getType(cp);
    return type == Character.NON_SPACING_MARK
        || type == Character.COMBINING_SPACING_MARK
        || type == Character.ENCLOSING_MARK
        || (cp >= 0x1100 && cp <= 0x11FF)
        || (cp >= 0xA960 && cp <= 0xA97F)
        || (cp >= 0xD7B0 && cp <= 0xD7FF)
        || !Normalizer.isNormalized(new String(Character.toChars(cp)), Normalizer.Form.NFC);
  }

  private static String finish(StringBuilder out) {
    String encoded = out.toString();
    if (!Normalizer.isNormalized(encoded, Normalizer.Form.NFC)) {
      // a composition this rule does not foresee: spell every non-ASCII character out
      StringBuilder ascii = new StringBuilder();
      encoded
          .codePoints()
          .forEach(
              cp -> {
                if (cp >= 0x80) {
                  escape(ascii, cp);
                } else {
                  ascii.appendCodePoint(cp);
                }
              });
      encoded = ascii.toString();
    }
    if (RESERVED.matcher(encoded).matches()) {
      encoded =
          String.format(Locale.ROOT, "%%%02X", (int) encoded.charAt(0)) + encoded.substring(1);
    }
    return check("name", encoded);
  }

  /**
   * The form under which two names would share one directory on a case-insensitive, normalizing
   * file system (macOS, Windows): NFC, then case-folded.
   *
   * @param name a valid name
   * @return the folded form
   */
  public static String folded(String name) {
    return Normalizer.normalize(name, Normalizer.Form.NFC)
        .toUpperCase(Locale.ROOT)
        .toLowerCase(Locale.ROOT);
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
    return new String(decodeBytes(name), StandardCharsets.UTF_8);
  }

  /**
   * Reverses {@link #encode(byte[])}: the bytes a name stands for.
   *
   * @param name a valid name
   * @return the UTF-8 bytes of its text, with every {@code %XX} as the byte XX
   */
  public static byte[] decodeBytes(String name) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(name.length());
    for (int i = 0; i < name.length(); ) {
      if (name.charAt(i) == '%' && isHex(name, i + 1) && isHex(name, i + 2)) {
        bytes.write(Integer.parseInt(name.substring(i + 1, i + 3), 16));
        i += 3;
      } else {
        int cp = name.codePointAt(i);
        byte[] b = new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8);
        bytes.write(b, 0, b.length);
        i += Character.charCount(cp);
      }
    }
    return bytes.toByteArray();
  }

  private static boolean isHex(String s, int i) {
    if (i >= s.length()) {
      return false;
    }
    char c = s.charAt(i);
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
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
