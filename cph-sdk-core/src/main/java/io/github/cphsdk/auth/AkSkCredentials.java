package io.github.cphsdk.auth;

import io.github.cphsdk.http.HttpRequest;
import java.net.URI;
import java.time.Clock;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Access key (AK) and secret key (SK) credentials: every attempt is signed with {@code SDK-HMAC-SHA256}
 * (Huawei Cloud's API signing), with a fresh {@code X-Sdk-Date}. Temporary credentials add their security
 * token as {@code X-Security-Token}.
 *
 * <p>Each attempt gets {@code X-Sdk-Date}, {@code X-Project-Id} (the client's project id, unless the request
 * already has one), {@code X-Security-Token} for temporary credentials, and {@code Authorization}. Signed
 * are {@code host}, {@code x-sdk-date}, {@code x-project-id}, {@code x-security-token} (when sent), and
 * {@code content-type} and {@code user-agent} when the request has them.
 *
 * <pre>{@code
 * Credentials permanent = Credentials.akSk("QTWAOYTTINDUT2QVKYUC", sk);
 * Credentials temporary = Credentials.akSk(ak, sk, securityToken);
 * Credentials withClock = AkSkCredentials.builder()
 *     .accessKey(ak).secretKey(sk)
 *     .clock(Clock.systemUTC())      // default: the client's clock
 *     .build();
 * }</pre>
 *
 * <p>The SK and the security token never appear in {@code toString()}, logs or exception messages; the
 * access key id is shown only as its first four characters.
 */
public final class AkSkCredentials implements Credentials {
  private static final String PROJECT_HEADER = "X-Project-Id";
  private static final String SECURITY_TOKEN_HEADER = "X-Security-Token";
  private static final String AUTHORIZATION = "Authorization";
  /** Request headers signed when present (lower case); host and the headers added here are always signed. */
  private static final Set<String> SIGNED_WHEN_PRESENT = Set.of("content-type", "user-agent");

  private final String accessKey;
  private final String securityToken;
  private final SdkHmacSigner signer;
  private final Clock clock;

  private AkSkCredentials(String accessKey, String secretKey, String securityToken, Clock clock) {
    this.accessKey = accessKey;
    this.securityToken = securityToken;
    this.signer = new SdkHmacSigner(accessKey, secretKey);
    this.clock = clock;
  }

  /** {@return a new builder; access key and secret key are required} */
  public static Builder builder() {
    return new Builder();
  }

  /** Checks the values (naming each field as {@code names} says) and builds the credentials. */
  static AkSkCredentials create(String accessKey, String secretKey, String securityToken, Clock clock,
      String akName, String skName, String tokenName) {
    Secrets.checkKey(accessKey, akName);
    if (accessKey.indexOf(',') >= 0) {
      // It would end the Access part of the Authorization header: the service would read another key id.
      throw new IllegalArgumentException(akName + " must not contain ',' (found one at index "
          + accessKey.indexOf(',') + ")");
    }
    Secrets.checkKey(secretKey, skName);
    if (securityToken != null) {
      Secrets.checkKey(securityToken, tokenName);
    }
    return new AkSkCredentials(accessKey, secretKey, securityToken, clock);
  }

  /** Adds {@code X-Sdk-Date}, {@code X-Project-Id}, {@code X-Security-Token} (temporary keys) and {@code Authorization}. */
  @Override
  public HttpRequest authorize(HttpRequest request, AuthContext context) {
    return sign(request, context).request;
  }

  /** The signed request together with the signature's intermediate results (for tests). */
  Signed sign(HttpRequest request, AuthContext context) {
    Clock c = clock != null ? clock : context.clock();
    String date = SdkHmacSigner.formatDate(c.instant());
    URI uri = request.uri();

    HttpRequest.Builder b = request.toBuilder().removeHeader(AUTHORIZATION).setHeader(SdkHmacSigner.DATE_HEADER, date);
    Map<String, String> signed = new HashMap<>(8);
    signed.put("host", SdkHmacSigner.host(uri));
    signed.put("x-sdk-date", date);
    for (Map.Entry<String, String> h : request.headers()) {
      String name = h.getKey().toLowerCase(Locale.ROOT);
      if (SIGNED_WHEN_PRESENT.contains(name) || name.equals("x-project-id")) {
        if (signed.put(name, h.getValue()) != null) {
          throw new IllegalArgumentException("header " + h.getKey()
              + " appears more than once; AK/SK signing needs a single value");
        }
      }
    }
    if (!signed.containsKey("x-project-id")) {
      b.setHeader(PROJECT_HEADER, context.projectId());
      signed.put("x-project-id", context.projectId());
    }
    if (securityToken != null) {
      b.setHeader(SECURITY_TOKEN_HEADER, securityToken);
      signed.put("x-security-token", securityToken);
    }
    SdkHmacSigner.Signature signature = signer.sign(request.method(), uri.getRawPath(),
        SdkHmacSigner.parseQuery(uri.getRawQuery()), signed, request.body());
    b.setHeader(AUTHORIZATION, signature.authorization);
    return new Signed(b.build(), signature);
  }

  /** A signed request and how it was signed. */
  static final class Signed {
    final HttpRequest request;
    final SdkHmacSigner.Signature signature;

    Signed(HttpRequest request, SdkHmacSigner.Signature signature) {
      this.request = request;
      this.signature = signature;
    }
  }

  /** Whether these are temporary credentials (with a security token). */
  boolean isTemporary() {
    return securityToken != null;
  }

  /** Shows at most the first four characters of the access key id; never the SK or the security token. */
  @Override
  public String toString() {
    return "Credentials.akSk(AK=" + Secrets.maskKeyId(accessKey) + ", SK=" + Secrets.MASK
        + (securityToken != null ? ", securityToken=" + Secrets.MASK : "")
        + (clock != null ? ", clock=" + clock : "") + ')';
  }

  /**
   * Builds {@link AkSkCredentials}. Access key and secret key are required; a security token makes them
   * temporary credentials.
   *
   * <pre>{@code
   * AkSkCredentials credentials = AkSkCredentials.builder()
   *     .accessKey(ak).secretKey(sk).securityToken(token)
   *     .build();
   * }</pre>
   */
  public static final class Builder {
    private String accessKey;
    private String secretKey;
    private String securityToken;
    private Clock clock;

    private Builder() {}

    /**
     * The access key id (AK). Required.
     *
     * @param accessKey printable ASCII without spaces; checked in {@link #build()}
     * @return this builder
     */
    public Builder accessKey(String accessKey) {
      this.accessKey = accessKey;
      return this;
    }

    /**
     * The secret access key (SK). Required.
     *
     * @param secretKey printable ASCII without spaces; checked in {@link #build()}
     * @return this builder
     */
    public Builder secretKey(String secretKey) {
      this.secretKey = secretKey;
      return this;
    }

    /**
     * The security token of temporary credentials, sent as {@code X-Security-Token}.
     *
     * @param securityToken the token; {@code null} (the default) for permanent keys
     * @return this builder
     */
    public Builder securityToken(String securityToken) {
      this.securityToken = securityToken;
      return this;
    }

    /**
     * The clock that dates signatures; default: the client's clock.
     *
     * @param clock not {@code null}
     * @return this builder
     */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * The credentials.
     *
     * @return new, immutable credentials
     * @throws IllegalArgumentException when a key is missing, blank or not printable ASCII, or the access key
     *     contains a comma (the message names the field, never its value)
     */
    public AkSkCredentials build() {
      return create(accessKey, secretKey, securityToken, clock, "accessKey", "secretKey", "securityToken");
    }
  }
}
