package io.github.cphsdk.auth;

/**
 * Checks and masking for secrets and other credential fields. Messages name the field and the rule but
 * never echo the value: it may be a key, a token or a password.
 */
final class Secrets {
  static final String MASK = "****";

  private Secrets() {}

  /**
   * A key, key id or token: required, not blank, printable ASCII without spaces (so it can travel in a
   * header and can never start a second one).
   */
  static String checkKey(String value, String name) {
    if (value == null) {
      throw new IllegalArgumentException(name + " is required (got null)");
    }
    if (isBlank(value)) {
      throw new IllegalArgumentException(name + " must not be blank");
    }
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c < 0x21 || c > 0x7e) {
        throw new IllegalArgumentException(name + " must be printable ASCII without spaces, CR or LF (found "
            + describe(c) + " at index " + i + ")");
      }
    }
    return value;
  }

  /** A name (user, account, project): required, not blank, no control characters. */
  static String checkName(String value, String name) {
    if (value == null) {
      throw new IllegalArgumentException(name + " is required (got null)");
    }
    if (isBlank(value)) {
      throw new IllegalArgumentException(name + " must not be blank");
    }
    for (int i = 0; i < value.length(); i++) {
      if (Character.isISOControl(value.charAt(i))) {
        throw new IllegalArgumentException(name + " must not contain control characters such as CR or LF (found one at index "
            + i + ")");
      }
    }
    return value;
  }

  /** Describes a rejected character without revealing which printable character a secret holds. */
  private static String describe(char c) {
    if (c == '\r') {
      return "CR";
    }
    if (c == '\n') {
      return "LF";
    }
    if (c == ' ') {
      return "a space";
    }
    if (c < 0x20 || c == 0x7f) {
      return "a control character";
    }
    return "a non-ASCII character";
  }

  /** The first four characters of a key id followed by a mask, or only the mask for short ids. */
  static String maskKeyId(String keyId) {
    return keyId.length() >= 12 ? keyId.substring(0, 4) + MASK : MASK;
  }

  /** {@code text} with every occurrence of {@code secret} replaced by the mask; null stays null. */
  static String scrub(String text, String secret) {
    if (text == null || secret == null || secret.isEmpty()) {
      return text;
    }
    return text.replace(secret, MASK);
  }

  /** {@code String.isBlank()}, which Android API level 26 lacks: null, empty or only whitespace. */
  static boolean isBlank(String s) {
    if (s == null) {
      return true;
    }
    for (int i = 0; i < s.length(); i++) { // a loop, not chars().allMatch: tokens are checked on every call
      if (!Character.isWhitespace(s.charAt(i))) {
        return false;
      }
    }
    return true;
  }
}
