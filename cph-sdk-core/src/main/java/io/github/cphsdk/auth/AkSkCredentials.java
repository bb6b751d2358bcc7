package io.github.cphsdk.auth;

import io.github.cphsdk.http.HttpRequest;
import io.github.cphsdk.internal.Endpoints;
import java.net.URI;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Objects;

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
    return sign(request, context, null);
  }

  /** The signed request together with the signature's intermediate results (for tests). */
  Signed sign(HttpRequest request, AuthContext context) {
    SdkHmacSigner.Signature[] kept = new SdkHmacSigner.Signature[1];
    HttpRequest signed = sign(request, context, kept);
    return new Signed(signed, kept[0]);
  }

  /**
   * Signs {@code request}: collects the headers to sign in two small arrays (names lower case), has the
   * signer hash the body where it is (no copy), and sets the headers it adds in one copy of the request.
   */
  private HttpRequest sign(HttpRequest request, AuthContext context, SdkHmacSigner.Signature[] kept) {
    Clock c = clock != null ? clock : context.clock();
    String date = SigningText.formatDate(c.instant());
    URI uri = request.uri();

    String[] names = new String[MAX_SIGNED];
    String[] values = new String[MAX_SIGNED];
    names[0] = "host";
    values[0] = host(uri);
    names[1] = "x-sdk-date";
    values[1] = date;
    int n = 2;
    boolean hasProject = false;
    List<Map.Entry<String, String>> headers = request.headers();
    for (int i = 0, size = headers.size(); i < size; i++) {
      Map.Entry<String, String> h = headers.get(i);
      String name = signedWhenPresent(h.getKey());
      if (name != null) {
        for (int j = 2; j < n; j++) {
          if (names[j].equals(name)) {
            throw new IllegalArgumentException("header " + h.getKey()
                + " appears more than once; AK/SK signing needs a single value");
          }
        }
        names[n] = name;
        values[n++] = h.getValue();
        hasProject |= name.equals("x-project-id");
      }
    }

    // Set like HttpRequest.Builder.setHeader, in this order: each replaces any header of its name.
    String[] added = new String[2 * (2 + (hasProject ? 0 : 1) + (securityToken != null ? 1 : 0))];
    int a = 0;
    added[a++] = SdkHmacSigner.DATE_HEADER;
    added[a++] = date;
    if (!hasProject) {
      names[n] = "x-project-id";
      values[n++] = context.projectId();
      added[a++] = PROJECT_HEADER;
      added[a++] = context.projectId();
    }
    if (securityToken != null) {
      names[n] = "x-security-token";
      values[n++] = securityToken;
      added[a++] = SECURITY_TOKEN_HEADER;
      added[a++] = securityToken;
    }
    String rawQuery = uri.getRawQuery();
    String canonicalQuery = rawQuery == null ? "" : SigningText.canonicalQuery(SigningText.parseQuery(rawQuery));
    String authorization;
    if (kept == null) {
      authorization = signer.authorization(request.method(), uri.getRawPath(), canonicalQuery, names, values, n,
          request.bodyBuffer());
    } else {
      kept[0] = signer.sign(request.method(), uri.getRawPath(), canonicalQuery, names, values, n, request.bodyBuffer(),
          true);
      authorization = kept[0].authorization;
    }
    added[a++] = AUTHORIZATION; // replaces an Authorization of an earlier signing
    added[a] = authorization;
    return request.withHeaders(added);
  }

  /** Host, X-Sdk-Date and the three below, plus X-Security-Token. */
  private static final int MAX_SIGNED = 6;

  /**
   * The lower-case name under which a request header is signed, or {@code null} when it is not signed:
   * {@code Content-Type}, {@code User-Agent} and {@code X-Project-Id}, in any case.
   */
  private static String signedWhenPresent(String name) {
    switch (name.length()) {
      case 10:
        return name.equalsIgnoreCase("user-agent") ? "user-agent" : null;
      case 12:
        return name.equalsIgnoreCase("content-type") ? "content-type"
            : name.equalsIgnoreCase("x-project-id") ? "x-project-id" : null;
      default:
        return null;
    }
  }

  /** The {@code Host} value of the last URI signed: a client signs the same URI object call after call. */
  private volatile HostOf lastHost;

  private String host(URI uri) {
    HostOf last = lastHost;
    if (last != null && last.uri == uri) {
      return last.host;
    }
    String host = Endpoints.hostHeader(uri);
    lastHost = new HostOf(uri, host);
    return host;
  }

  private static final class HostOf {
    final URI uri;
    final String host;

    HostOf(URI uri, String host) {
      this.uri = uri;
      this.host = host;
    }
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
