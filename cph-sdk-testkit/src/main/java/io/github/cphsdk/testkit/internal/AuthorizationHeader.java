package io.github.cphsdk.testkit.internal;

import java.util.Arrays;
import java.util.List;

/**
 * A parsed {@code Authorization: SDK-HMAC-SHA256 Access=AK, SignedHeaders=h1;h2, Signature=hex} header.
 * Not API. {@link #toString()} leaves out the signature.
 */
public final class AuthorizationHeader {
  private final String accessKey;
  private final List<String> signedHeaders;
  private final String signature;

  private AuthorizationHeader(String accessKey, List<String> signedHeaders, String signature) {
    this.accessKey = accessKey;
    this.signedHeaders = signedHeaders;
    this.signature = signature;
  }

  /**
   * Parses the header value.
   *
   * @throws IllegalArgumentException naming what is wrong (never echoing the value)
   */
  public static AuthorizationHeader parse(String value) {
    String prefix = SdkHmacSha256.ALGORITHM + " ";
    if (value == null || !value.startsWith(prefix)) {
      throw new IllegalArgumentException("the Authorization header must start with \"" + prefix.trim() + "\"");
    }
    String access = null;
    String signed = null;
    String signature = null;
    for (String part : value.substring(prefix.length()).split(",", -1)) {
      String p = part.trim();
      int eq = p.indexOf('=');
      if (eq <= 0) {
        throw new IllegalArgumentException("the Authorization header has a part without name=value");
      }
      String name = p.substring(0, eq);
      String v = p.substring(eq + 1);
      switch (name) {
        case "Access":
          access = v;
          break;
        case "SignedHeaders":
          signed = v;
          break;
        case "Signature":
          signature = v;
          break;
        default:
          throw new IllegalArgumentException("the Authorization header has an unknown part \"" + name + "\"");
      }
    }
    if (access == null || access.isEmpty() || signed == null || signed.isEmpty() || signature == null
        || signature.isEmpty()) {
      throw new IllegalArgumentException("the Authorization header needs Access, SignedHeaders and Signature");
    }
    return new AuthorizationHeader(access, List.copyOf(Arrays.asList(signed.split(";", -1))), signature);
  }

  public String accessKey() {
    return accessKey;
  }

  /** The signed header names exactly as listed. */
  public List<String> signedHeaders() {
    return signedHeaders;
  }

  public String signature() {
    return signature;
  }

  @Override
  public String toString() {
    return "AuthorizationHeader[Access=" + accessKey + ", SignedHeaders=" + String.join(";", signedHeaders) + "]";
  }
}
