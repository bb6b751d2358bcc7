package io.github.cphsdk.testkit.internal;

import java.util.regex.Pattern;

/**
 * The body-field rules the emulator enforces (docs/API.md section 1). Each method returns {@code null} when
 * the value is fine, else a short reason. Not API.
 */
public final class FieldRules {
  public static final int PACKAGE_NAME_MAX = 128;
  public static final int OBJECT_PATH_MAX = 1024;
  public static final int SERVER_ID_LENGTH = 32;

  private static final Pattern PACKAGE_SEGMENT = Pattern.compile("[A-Za-z][A-Za-z0-9_]*");
  private static final Pattern BUCKET = Pattern.compile("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]");
  private static final Pattern IP_SHAPED = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
  private static final Pattern OBJECT_PATH = Pattern.compile("[A-Za-z0-9./\\-_+#=]+");
  private static final Pattern SERVER_ID = Pattern.compile("[A-Za-z0-9]{" + SERVER_ID_LENGTH + "}");

  private FieldRules() {}

  public static String packageName(String v) {
    if (v == null || v.isEmpty()) {
      return "is required";
    }
    if (v.length() > PACKAGE_NAME_MAX) {
      return "must be at most " + PACKAGE_NAME_MAX + " characters";
    }
    if (v.indexOf('.') < 0) {
      return "must contain at least one '.'";
    }
    for (String segment : v.split("\\.", -1)) {
      if (!PACKAGE_SEGMENT.matcher(segment).matches()) {
        return "must be segments of letters, digits and '_' separated by '.', each starting with a letter";
      }
    }
    return null;
  }

  public static String bucketName(String v) {
    if (v == null || v.isEmpty()) {
      return "is required";
    }
    if (!BUCKET.matcher(v).matches()) {
      return "must be 3 to 63 lowercase letters, digits, '-' and '.', starting and ending with a letter or digit";
    }
    if (v.contains("..") || v.contains(".-") || v.contains("-.")) {
      return "must not contain \"..\", \".-\" or \"-.\"";
    }
    if (IP_SHAPED.matcher(v).matches()) {
      return "must not be shaped like an IP address";
    }
    return null;
  }

  public static String objectPath(String v) {
    if (v == null || v.isEmpty()) {
      return "is required";
    }
    if (v.length() > OBJECT_PATH_MAX) {
      return "must be at most " + OBJECT_PATH_MAX + " characters";
    }
    if (!OBJECT_PATH.matcher(v).matches()) {
      return "may contain only A-Z a-z 0-9 . / - _ + # =";
    }
    if (!v.endsWith(".tar") || v.endsWith("/.tar") || v.equals(".tar")) {
      return "must name a .tar file";
    }
    return null;
  }

  /** A well-formed server id: 32 letters or digits. */
  public static boolean isServerId(String v) {
    return v != null && SERVER_ID.matcher(v).matches();
  }
}
