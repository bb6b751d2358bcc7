package io.github.cphsdk.auth;

import io.github.cphsdk.internal.PercentEncoding;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The text forms of the {@code SDK-HMAC-SHA256} algorithm (docs/API.md section 4): the canonical URI and
 * query, the parsed raw query, the {@code X-Sdk-Date} text, lower-case hex and SHA-256. {@link SdkHmacSigner}
 * signs with them; they hold no key.
 */
final class SigningText {
  /** Only for years outside 0001 to 9999 (and the tests); a holder so that it is built only then. */
  private static final class Formatter {
    static final DateTimeFormatter SDK_DATE =
        DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'", Locale.ROOT).withZone(ZoneOffset.UTC);
  }

  private static final char[] HEX = "0123456789abcdef".toCharArray();
  private static final Comparator<Map.Entry<String, String>> BY_NAME_THEN_VALUE =
      Map.Entry.<String, String>comparingByKey().thenComparing(Map.Entry.comparingByValue());

  private SigningText() {}

  /**
   * Each segment of the raw path decoded, then encoded with the RFC 3986 unreserved set, and a {@code /}
   * appended unless the path ends with one. Splitting the raw path first keeps an encoded {@code %2F}
   * inside its segment.
   */
  static String canonicalUri(String rawPath) {
    SdkHmacSigner.Sink b = new SdkHmacSigner.Sink(rawPath == null ? 1 : rawPath.length() + 8);
    b.canonicalUri(rawPath);
    return b.string();
  }

  /** Parameters as {@code name=value}, both encoded, sorted by encoded name then value, joined by {@code &}. */
  static String canonicalQuery(List<Map.Entry<String, String>> query) {
    if (query.isEmpty()) {
      return "";
    }
    List<Map.Entry<String, String>> encoded = new ArrayList<>(query.size());
    for (Map.Entry<String, String> p : query) {
      encoded.add(new AbstractMap.SimpleImmutableEntry<>(PercentEncoding.encode(p.getKey()),
          PercentEncoding.encode(p.getValue())));
    }
    encoded.sort(BY_NAME_THEN_VALUE);
    StringBuilder sb = new StringBuilder();
    for (Map.Entry<String, String> p : encoded) {
      if (sb.length() > 0) {
        sb.append('&');
      }
      sb.append(p.getKey()).append('=').append(p.getValue());
    }
    return sb.toString();
  }

  /**
   * The decoded parameters of a raw query ({@code URI.getRawQuery()}): split at {@code &} and the first
   * {@code =}, percent-decoded; a parameter without {@code =} has the empty value. {@code +} is a literal
   * plus (RFC 3986), so encode spaces as {@code %20}.
   */
  static List<Map.Entry<String, String>> parseQuery(String rawQuery) {
    if (rawQuery == null || rawQuery.isEmpty()) {
      return Collections.emptyList();
    }
    List<Map.Entry<String, String>> params = new ArrayList<>();
    for (String part : rawQuery.split("&", -1)) {
      if (part.isEmpty()) {
        continue;
      }
      int eq = part.indexOf('=');
      String name = eq < 0 ? part : part.substring(0, eq);
      String value = eq < 0 ? "" : part.substring(eq + 1);
      params.add(new AbstractMap.SimpleImmutableEntry<>(PercentEncoding.decode(name), PercentEncoding.decode(value)));
    }
    return params;
  }

  /** {@code yyyyMMdd'T'HHmmss'Z'} in UTC; the text of the latest second is kept (every call in it shares it). */
  static String formatDate(Instant instant) {
    long second = instant.getEpochSecond();
    DateText last = lastDate;
    if (last != null && last.second == second) {
      return last.text;
    }
    String text = formatUtcSecond(second);
    lastDate = new DateText(second, text);
    return text;
  }

  /**
   * The UTC date-time of an epoch second as {@code yyyyMMdd'T'HHmmss'Z'}, computed directly: a
   * {@code DateTimeFormatter} would load some fifty classes at the first signature, which a CLI making one
   * call pays for in full.
   */
  static String formatUtcSecond(long epochSecond) {
    long days = Math.floorDiv(epochSecond, 86_400L);
    int secs = (int) Math.floorMod(epochSecond, 86_400L); // (long, long): Android 26 has no (long, int)
    // civil_from_days (H. Hinnant), proleptic Gregorian
    long z = days + 719_468;
    long era = Math.floorDiv(z, 146_097L);
    long doe = z - era * 146_097;
    long yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    long mp = (5 * doy + 2) / 153;
    int day = (int) (doy - (153 * mp + 2) / 5 + 1);
    int month = (int) (mp < 10 ? mp + 3 : mp - 9);
    long year = yoe + era * 400 + (month <= 2 ? 1 : 0);
    if (year < 1 || year > 9999) {
      return Formatter.SDK_DATE.format(Instant.ofEpochSecond(epochSecond)); // year-of-era outside 0001-9999: java.time
    }
    char[] c = new char[16];
    put4(c, 0, (int) year);
    put2(c, 4, month);
    put2(c, 6, day);
    c[8] = 'T';
    put2(c, 9, secs / 3600);
    put2(c, 11, secs / 60 % 60);
    put2(c, 13, secs % 60);
    c[15] = 'Z';
    return new String(c);
  }

  private static void put2(char[] c, int at, int v) {
    c[at] = (char) ('0' + v / 10);
    c[at + 1] = (char) ('0' + v % 10);
  }

  private static void put4(char[] c, int at, int v) {
    put2(c, at, v / 100);
    put2(c, at + 2, v % 100);
  }

  private static volatile DateText lastDate;

  /** One formatted second. */
  private static final class DateText {
    final long second;
    final String text;

    DateText(long second, String text) {
      this.second = second;
      this.text = text;
    }
  }

  /** Lower-case hex without {@code String.format}. */
  static String hex(byte[] bytes) {
    char[] out = new char[bytes.length * 2];
    for (int i = 0; i < bytes.length; i++) {
      out[2 * i] = HEX[(bytes[i] >> 4) & 0xf];
      out[2 * i + 1] = HEX[bytes[i] & 0xf];
    }
    return new String(out);
  }

  static byte[] sha256(byte[] data) {
    return sha256().digest(data);
  }

  /**
   * A fresh SHA-256: a clone of one looked up once (a provider lookup per call costs more than the hash).
   * The signer takes its digest here whenever it builds new scratch state.
   */
  static MessageDigest sha256() {
    MessageDigest p = SHA256_PROTOTYPE;
    if (p != null) {
      try {
        return (MessageDigest) p.clone();
      } catch (CloneNotSupportedException e) {
        // fall through: look it up
      }
    }
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("this Java runtime has no SHA-256", e);
    }
  }

  private static final MessageDigest SHA256_PROTOTYPE = sha256Prototype();

  private static MessageDigest sha256Prototype() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      return null; // reported on first use
    }
  }
}
