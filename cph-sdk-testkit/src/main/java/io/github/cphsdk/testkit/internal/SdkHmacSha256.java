package io.github.cphsdk.testkit.internal;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The {@code SDK-HMAC-SHA256} algorithm of docs/API.md section 4, written independently of the SDK's signer
 * so the emulator can check it. Not API.
 *
 * <pre>
 * CanonicalRequest = METHOD \n CanonicalURI \n CanonicalQuery \n CanonicalHeaders \n SignedHeaders \n hex(sha256(body))
 * StringToSign     = "SDK-HMAC-SHA256" \n X-Sdk-Date \n hex(sha256(CanonicalRequest))
 * Signature        = hex(hmacSha256(SK, StringToSign))
 * </pre>
 */
public final class SdkHmacSha256 {
  public static final String ALGORITHM = "SDK-HMAC-SHA256";

  private SdkHmacSha256() {}

  /**
   * The canonical URI: each segment of the raw path percent-decoded and re-encoded (RFC 3986), with a
   * {@code /} appended when the path does not end with one.
   */
  public static String canonicalUri(String rawPath) {
    if (rawPath == null || rawPath.isEmpty()) {
      return "/";
    }
    String[] segments = rawPath.split("/", -1);
    StringBuilder sb = new StringBuilder(rawPath.length() + 8);
    for (int i = 0; i < segments.length; i++) {
      if (i > 0) {
        sb.append('/');
      }
      sb.append(QueryString.encode(QueryString.decode(segments[i])));
    }
    if (sb.length() == 0 || sb.charAt(sb.length() - 1) != '/') {
      sb.append('/');
    }
    return sb.toString();
  }

  /** The canonical query of decoded name/value pairs: encoded, sorted by name then value, joined by {@code &}. */
  public static String canonicalQuery(List<Map.Entry<String, String>> params) {
    List<String[]> encoded = new ArrayList<>(params.size());
    for (Map.Entry<String, String> p : params) {
      encoded.add(new String[] {QueryString.encode(p.getKey()), QueryString.encode(p.getValue())});
    }
    encoded.sort(Comparator.<String[], String>comparing(p -> p[0]).thenComparing(p -> p[1]));
    StringBuilder sb = new StringBuilder();
    for (String[] p : encoded) {
      if (sb.length() > 0) {
        sb.append('&');
      }
      sb.append(p[0]).append('=').append(p[1]);
    }
    return sb.toString();
  }

  /**
   * The canonical request.
   *
   * @param signedHeaders lower-case header names, in the order of the {@code SignedHeaders} list
   * @param headerValue the value of a header by lower-case name (first value), or {@code null} when absent
   */
  public static String canonicalRequest(String method, String rawPath, List<Map.Entry<String, String>> query,
      List<String> signedHeaders, Function<String, String> headerValue, byte[] body) {
    StringBuilder sb = new StringBuilder(256);
    sb.append(method).append('\n')
        .append(canonicalUri(rawPath)).append('\n')
        .append(canonicalQuery(query)).append('\n');
    for (String name : signedHeaders) {
      String value = headerValue.apply(name);
      sb.append(name).append(':').append(value == null ? "" : value.trim()).append('\n');
    }
    sb.append('\n').append(String.join(";", signedHeaders)).append('\n').append(sha256Hex(body));
    return sb.toString();
  }

  /** The string to sign for {@code sdkDate} ({@code yyyyMMdd'T'HHmmss'Z'}). */
  public static String stringToSign(String sdkDate, String canonicalRequest) {
    return ALGORITHM + "\n" + sdkDate + "\n" + sha256Hex(canonicalRequest.getBytes(StandardCharsets.UTF_8));
  }

  /** Lower-case hex of HMAC-SHA256 keyed with the SK's UTF-8 bytes. */
  public static String signature(String secretKey, String stringToSign) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secretKey.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      return hex(mac.doFinal(stringToSign.getBytes(StandardCharsets.UTF_8)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is not available", e);
    }
  }

  /** The {@code Authorization} header value. */
  public static String authorization(String accessKey, List<String> signedHeaders, String signature) {
    return ALGORITHM + " Access=" + accessKey + ", SignedHeaders=" + String.join(";", signedHeaders)
        + ", Signature=" + signature;
  }

  /** Lower-case hex of SHA-256. */
  public static String sha256Hex(byte[] data) {
    try {
      return hex(MessageDigest.getInstance("SHA-256").digest(data));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("SHA-256 is not available", e);
    }
  }

  /** Compares two signatures in constant time. */
  public static boolean sameSignature(String expected, String actual) {
    return MessageDigest.isEqual(expected.getBytes(StandardCharsets.US_ASCII),
        actual.getBytes(StandardCharsets.US_ASCII));
  }

  private static String hex(byte[] bytes) {
    char[] out = new char[bytes.length * 2];
    for (int i = 0; i < bytes.length; i++) {
      out[2 * i] = Character.forDigit((bytes[i] >> 4) & 0xf, 16);
      out[2 * i + 1] = Character.forDigit(bytes[i] & 0xf, 16);
    }
    return new String(out);
  }
}
