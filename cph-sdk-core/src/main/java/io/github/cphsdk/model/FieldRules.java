package io.github.cphsdk.model;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The field rules of docs/API.md section 1. Every failure is an {@link IllegalArgumentException} whose message
 * names the JSON field, the rule and the offending value (cut short and made printable).
 */
final class FieldRules {
  static final int PACKAGE_NAME_MAX = 128;
  static final int OBJECT_PATH_MAX = 1024;
  /** A CPH server id is 32 letters or digits (docs/API.md section 1; the emulator makes 32 hex digits). */
  static final int SERVER_ID_LENGTH = 32;

  private static final Pattern IP_SHAPED = Pattern.compile("\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}");

  private FieldRules() {}

  static void packageName(String field, String value) {
    required(field, value);
    if (value.length() > PACKAGE_NAME_MAX) {
      throw invalid(field, "must be at most " + PACKAGE_NAME_MAX + " characters (got " + value.length() + ")", value);
    }
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (!(isAsciiLetter(c) || isDigit(c) || c == '_' || c == '.')) {
        throw invalid(field, "may contain only letters, digits, '_' and '.' (bad character at index " + i + ")", value);
      }
    }
    if (value.indexOf('.') < 0) {
      throw invalid(field, "must have at least two segments separated by '.', like com.example.app", value);
    }
    if (value.endsWith(".")) {
      throw invalid(field, "must not end with '.'", value);
    }
    for (int start = 0; start <= value.length(); ) { // each segment between dots (no split: no copies)
      int dot = value.indexOf('.', start);
      int end = dot < 0 ? value.length() : dot;
      if (end == start || !isAsciiLetter(value.charAt(start))) {
        throw invalid(field, "every segment must start with a letter (segment \"" + value.substring(start, end) + "\")",
            value);
      }
      start = end + 1;
    }
  }

  static void bucketName(String field, String value) {
    required(field, value);
    if (value.length() < 3 || value.length() > 63) {
      throw invalid(field, "must be 3 to 63 characters (got " + value.length() + ")", value);
    }
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (!((c >= 'a' && c <= 'z') || isDigit(c) || c == '-' || c == '.')) {
        throw invalid(field, "may contain only lowercase letters, digits, '-' and '.' (bad character at index " + i + ")",
            value);
      }
    }
    char first = value.charAt(0);
    char last = value.charAt(value.length() - 1);
    if (first == '-' || first == '.' || last == '-' || last == '.') {
      throw invalid(field, "must start and end with a lowercase letter or digit", value);
    }
    if (value.contains("..") || value.contains(".-") || value.contains("-.")) {
      throw invalid(field, "must not contain \"..\", \".-\" or \"-.\"", value);
    }
    if (onlyDigitsAndDots(value) && IP_SHAPED.matcher(value).matches()) { // no Matcher for the usual names
      throw invalid(field, "must not be shaped like an IP address", value);
    }
  }

  static void objectPath(String field, String value) {
    required(field, value);
    if (value.length() > OBJECT_PATH_MAX) {
      throw invalid(field, "must be at most " + OBJECT_PATH_MAX + " characters (got " + value.length() + ")", value);
    }
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (!(isAsciiLetter(c) || isDigit(c) || "./-_+#=".indexOf(c) >= 0)) {
        throw invalid(field, "may contain only A-Z a-z 0-9 and . / - _ + # = (bad character at index " + i + ")", value);
      }
    }
    if (!value.endsWith(".tar") || value.endsWith("/.tar") || value.equals(".tar")) {
      throw invalid(field, "must name a .tar file (only .tar files can be pushed)", value);
    }
  }

  static void serverIds(String field, List<String> ids) {
    if (ids == null || ids.isEmpty()) {
      throw new IllegalArgumentException(field + " is required: give at least one server id");
    }
    int n = ids.size();
    // A few ids are compared with each other; more go through a set (which costs a node per id).
    Set<String> seen = n > FEW_IDS ? new HashSet<>(n * 2) : null;
    for (int i = 0; i < n; i++) {
      String id = ids.get(i);
      if (id == null) {
        throw new IllegalArgumentException(at(field, i) + " must not be null");
      }
      if (id.isEmpty()) {
        throw new IllegalArgumentException(at(field, i) + " must not be empty");
      }
      if (isAllWhitespace(id)) {
        throw invalid(at(field, i), "must not be blank", id);
      }
      if (id.length() != SERVER_ID_LENGTH) {
        throw invalid(at(field, i), "must be a server id: " + SERVER_ID_LENGTH + " letters or digits (got "
            + id.length() + " characters)", id);
      }
      for (int k = 0; k < id.length(); k++) {
        char c = id.charAt(k);
        if (!isAsciiLetter(c) && !isDigit(c)) {
          throw invalid(at(field, i), "must be a server id: " + SERVER_ID_LENGTH + " letters or digits (bad character"
              + " at index " + k + ")", id);
        }
      }
      if (seen != null ? !seen.add(id) : repeats(ids, i, id)) {
        throw invalid(at(field, i), "must not repeat a server id given earlier in the list", id);
      }
    }
  }

  private static boolean repeats(List<String> ids, int before, String id) {
    for (int j = 0; j < before; j++) {
      if (id.equals(ids.get(j))) {
        return true;
      }
    }
    return false;
  }

  /** Up to this many server ids are checked for repeats by comparing each with those before it. */
  private static final int FEW_IDS = 8;

  /** {@code server_ids[3]}: built only for a message. */
  private static String at(String field, int index) {
    return field + "[" + index + "]";
  }

  /**
   * Names every missing field at once: {@code fields[i]} is missing when {@code values[i]} is null. One missing
   * field gets the message of {@link #required} ({@code server_ids} with its hint), several one message.
   */
  static void allRequired(String[] fields, Object... values) {
    StringBuilder missing = null;
    int count = 0;
    String last = null;
    for (int i = 0; i < fields.length; i++) {
      if (values[i] == null) {
        if (last != null) {
          missing = missing == null ? new StringBuilder(last) : missing.append(", ").append(last);
        }
        last = fields[i];
        count++;
      }
    }
    if (count == 1 && "server_ids".equals(last)) {
      throw new IllegalArgumentException("server_ids is required: give at least one server id");
    }
    if (count == 1) {
      required(last, null);
    }
    if (count > 1) {
      throw new IllegalArgumentException(missing + " and " + last + " are required; none was given");
    }
  }

  static void required(String field, Object value) {
    if (value == null) {
      throw new IllegalArgumentException(field + " is required");
    }
  }

  static IllegalArgumentException invalid(String field, String rule, String value) {
    return new IllegalArgumentException(field + " " + rule + ", got \"" + shorten(value) + "\"");
  }

  /** At most 64 characters of the value, control and non-ASCII characters escaped. */
  static String shorten(String value) {
    StringBuilder sb = new StringBuilder();
    int n = Math.min(value.length(), 64);
    for (int i = 0; i < n; i++) {
      char c = value.charAt(i);
      if (c < 0x20 || c >= 0x7f) {
        sb.append(String.format("\\u%04x", (int) c));
      } else {
        sb.append(c);
      }
    }
    if (value.length() > n) {
      sb.append("...(").append(value.length()).append(" chars)");
    }
    return sb.toString();
  }

  /** {@code String.isBlank()}, which Android API 26 lacks. */
  private static boolean isAllWhitespace(String s) {
    for (int i = 0; i < s.length(); i++) {
      if (!Character.isWhitespace(s.charAt(i))) {
        return false;
      }
    }
    return true;
  }

  private static boolean onlyDigitsAndDots(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (!isDigit(c) && c != '.') {
        return false;
      }
    }
    return true;
  }

  private static boolean isAsciiLetter(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
  }

  private static boolean isDigit(char c) {
    return c >= '0' && c <= '9';
  }
}
