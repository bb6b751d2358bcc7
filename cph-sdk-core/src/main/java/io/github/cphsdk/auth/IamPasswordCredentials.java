package io.github.cphsdk.auth;

import io.github.cphsdk.CloudPhoneException;
import io.github.cphsdk.CloudPhoneServiceException;
import io.github.cphsdk.CloudPhoneTimeoutException;
import io.github.cphsdk.CloudPhoneTransportException;
import io.github.cphsdk.http.HttpRequest;
import io.github.cphsdk.internal.Endpoints;
import io.github.cphsdk.internal.Futures;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An IAM user's password, exchanged at IAM ({@code POST /v3/auth/tokens}) for a project-scoped token that is
 * sent as {@code X-Auth-Token}. The token is cached and renewed before it expires.
 *
 * <pre>{@code
 * Credentials credentials = Credentials.iamPassword()
 *     .userName("alice")
 *     .password(System.getenv("CPH_PASSWORD"))
 *     .accountName("acme")                     // the account (domain) the user belongs to
 *     // .projectName("cn-north-4")            // default: the client's project id
 *     // .iamEndpoint(IamPasswordCredentials.GLOBAL_ENDPOINT)   // default: https://iam.{region}.myhuaweicloud.com
 *     .build();
 * }</pre>
 *
 * <p>How the token is managed:
 * <ul>
 *   <li><b>Cache.</b> IAM tokens live 24 hours. One token per IAM endpoint and project is kept and reused by
 *       every call; it is renewed once less than {@link Builder#refreshAhead(Duration) refreshAhead} (default
 *       1 hour) of its life is left, but never before half of its life has passed. The lifetime is measured on
 *       IAM's clock ({@code issued_at} to {@code expires_at}), so a wrong local clock does not matter.
 *   <li><b>Single flight.</b> However many calls need a token at once, IAM is asked once and they all wait
 *       for that answer. The request goes through the client's transport, asynchronously; an asynchronous
 *       call never blocks a thread while it waits. Each call waits at most its own attempt timeout.
 *   <li><b>Renewal failures.</b> When a renewal fails while the current token is still valid, the current
 *       token is used and renewal is tried again a minute later (with a WARN log line).
 *   <li><b>Refused logins.</b> When IAM refuses the login with a 4xx answer (wrong password, locked or
 *       disabled user, unknown project), calls in the next 5 minutes fail at once with that answer instead
 *       of logging in again: repeated failed logins would get the IAM user locked. Build new credentials
 *       to try other values at once.
 *   <li><b>Refused tokens.</b> When the service answers 401 {@code APIGW.0307} ("the token must be
 *       updated") or {@code APIGW.0301} about a token ({@code APIG.} codes alike), the token is dropped and
 *       the client repeats the call once with a new one.
 *   <li><b>Errors.</b> IAM's refusals become a {@link CloudPhoneServiceException} whose message starts with
 *       "IAM" and carries IAM's own status and message; an unreachable IAM becomes a
 *       {@link CloudPhoneTransportException} (or {@link CloudPhoneTimeoutException}). Both say
 *       {@code mayHaveBeenApplied() == false}: nothing was sent to the cloud phone service.
 * </ul>
 *
 * <p>The password and the tokens never appear in {@code toString()}, logs or exception messages.
 */
public final class IamPasswordCredentials implements Credentials {
  /** IAM's global endpoint, valid for every region. */
  public static final URI GLOBAL_ENDPOINT = URI.create("https://iam.myhuaweicloud.com");
  /** How long before expiry a token is renewed by default: 1 hour. */
  public static final Duration DEFAULT_REFRESH_AHEAD = Duration.ofHours(1);
  /** How long one IAM request may take by default: 30 seconds. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

  private static final Logger LOG = LoggerFactory.getLogger(IamPasswordCredentials.class);
  private static final Set<String> MUST_REFRESH_CODES = Set.of("APIGW.0307", "APIG.0307");
  private static final Set<String> BAD_CREDENTIAL_CODES = Set.of("APIGW.0301", "APIG.0301");
  private static final Pattern REGION = Pattern.compile("[a-z0-9]+(-[a-z0-9]+)*");

  private final String userName;
  private final String password;
  private final String accountName;
  private final String projectId;
  private final String projectName;
  private final URI iamEndpoint;
  private final Duration refreshAhead;
  private final Duration timeout;
  private final Clock clock;
  private final ConcurrentHashMap<String, Slot> slots = new ConcurrentHashMap<>();
  private volatile Clock lastContextClock;

  private IamPasswordCredentials(Builder b) {
    this.userName = b.userName;
    this.password = b.password;
    this.accountName = b.accountName;
    this.projectId = b.projectId;
    this.projectName = b.projectName;
    this.iamEndpoint = b.iamEndpoint;
    this.refreshAhead = b.refreshAhead;
    this.timeout = b.timeout;
    this.clock = b.clock;
  }

  /** {@return a new builder; the same as {@link Credentials#iamPassword()}} */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Adds {@code X-Auth-Token}, first fetching a token from IAM when none is cached or it is due for
   * renewal. Waits at most the request's {@linkplain HttpRequest#timeout() timeout}.
   *
   * @throws CloudPhoneServiceException when IAM refused the login
   * @throws CloudPhoneTransportException when IAM could not be reached or answered unreadably
   * @throws IllegalStateException when no IAM endpoint is set and the client has no region
   */
  @Override
  public HttpRequest authorize(HttpRequest request, AuthContext context) {
    CompletableFuture<IamToken> token = token(request, context);
    IamToken t;
    try {
      t = token.isDone() ? token.join() : token.get(request.timeout().toNanos(), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      throw waitedTooLong(request);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CloudPhoneTransportException("interrupted while waiting for a token from IAM", e, false, 0);
    } catch (ExecutionException | CompletionException e) {
      throw forCaller(e.getCause());
    }
    return request.withHeader(TokenCredentials.HEADER, t.value);
  }

  /** Like {@link #authorize}, without blocking: the future completes when IAM has answered. */
  @Override
  public CompletableFuture<HttpRequest> authorizeAsync(HttpRequest request, AuthContext context) {
    CompletableFuture<IamToken> token;
    try {
      token = token(request, context);
    } catch (RuntimeException e) {
      return Futures.failed(e);
    }
    if (token.isDone() && !token.isCompletedExceptionally()) {
      return CompletableFuture.completedFuture(request.withHeader(TokenCredentials.HEADER, token.join().value));
    }
    CompletableFuture<HttpRequest> result = new CompletableFuture<>();
    token.whenComplete((t, error) -> {
      if (error != null) {
        result.completeExceptionally(forCaller(error));
        return;
      }
      try {
        result.complete(request.withHeader(TokenCredentials.HEADER, t.value));
      } catch (RuntimeException e) {
        result.completeExceptionally(e);
      }
    });
    if (result.isDone()) {
      return result;
    }
    // Bound this caller's wait by its own timeout without touching the shared fetch.
    return Futures.orTimeout(result, request.timeout().toNanos(), TimeUnit.NANOSECONDS)
        .handle((r, error) -> {
          if (error == null) {
            return r;
          }
          Throwable cause = Futures.unwrap(error);
          if (cause instanceof TimeoutException) {
            throw waitedTooLong(request);
          }
          throw cause instanceof RuntimeException ? (RuntimeException) cause : new CompletionException(cause);
        });
  }

  /**
   * Drops the cached token and returns {@code true} when the service refused it as expired or invalid:
   * {@code APIGW.0307} / {@code APIG.0307}, or {@code APIGW.0301} / {@code APIG.0301} with a message about
   * the token, or a 401 that carried no error code at all (the JDK's {@code HttpURLConnection} drops the body
   * of a 401 to a streamed POST). The client then repeats the call once with a new token.
   */
  @Override
  public boolean refreshAfterUnauthorized(String errorCode, String errorMessage) {
    // A 401 without a body (the JDK's HttpURLConnection drops the body of a 401 to a streamed POST) may well
    // be an expired token: one fresh token is cheap, and the client repeats at most once.
    String code = errorCode == null ? "" : errorCode.trim().toUpperCase(Locale.ROOT);
    boolean tokenRefused = errorCode == null
        || MUST_REFRESH_CODES.contains(code)
        || (BAD_CREDENTIAL_CODES.contains(code) && errorMessage != null
            && errorMessage.toLowerCase(Locale.ROOT).contains("token"));
    if (!tokenRefused) {
      return false;
    }
    Clock c = clock != null ? clock : lastContextClock != null ? lastContextClock : Clock.systemUTC();
    Instant now = c.instant();
    for (Slot slot : slots.values()) {
      if (slot.cache.drop(now)) {
        LOG.debug("The service refused the IAM token for {} ({}); it is dropped and a new one will be fetched",
            slot.description, code);
      }
    }
    return true;
  }

  private CompletableFuture<IamToken> token(HttpRequest request, AuthContext context) {
    Clock c = clock != null ? clock : context.clock();
    if (clock == null && lastContextClock != c) {
      lastContextClock = c;
    }
    URI endpoint = resolveEndpoint(context);
    String scopeKind = projectName != null ? "name" : "id";
    String scope = projectName != null ? projectName : projectId != null ? projectId : context.projectId();
    String key = endpoint + " " + scopeKind + ":" + scope;
    Slot slot = slots.get(key);
    if (slot == null) {
      slot = slots.computeIfAbsent(key, k -> newSlot(endpoint, scopeKind, scope));
    }
    Slot s = slot;
    return s.cache.acquire(c, () -> s.exchange.fetch(context.transport(), c, timeout, request.connectTimeout()));
  }

  private Slot newSlot(URI endpoint, String scopeKind, String scope) {
    String description = "user '" + userName + "' in account '" + accountName + "', project " + scopeKind + " '"
        + scope + "' at " + endpoint.getHost();
    IamTokenExchange exchange = new IamTokenExchange(endpoint, userName, password, accountName,
        "id".equals(scopeKind) ? scope : null, "name".equals(scopeKind) ? scope : null);
    return new Slot(exchange, new TokenSlot(refreshAhead, description), description);
  }

  private URI resolveEndpoint(AuthContext context) {
    if (iamEndpoint != null) {
      return iamEndpoint;
    }
    String region = context.region().orElseThrow(() -> new IllegalStateException(
        "IAM endpoint unknown: the client has an endpoint but no region, so set it with"
            + " Credentials.iamPassword().iamEndpoint(...) (e.g. IamPasswordCredentials.GLOBAL_ENDPOINT)"));
    if (!REGION.matcher(region).matches()) {
      throw new IllegalStateException("IAM endpoint unknown: region '" + region
          + "' cannot form https://iam.{region}.myhuaweicloud.com; set Credentials.iamPassword().iamEndpoint(...)");
    }
    return URI.create("https://iam." + region + ".myhuaweicloud.com");
  }

  private static CloudPhoneTimeoutException waitedTooLong(HttpRequest request) {
    return new CloudPhoneTimeoutException("no token from IAM within " + request.timeout().toMillis()
        + " ms (the attempt's timeout); the token request goes on and its token will be cached for the next call",
        null, false, 0);
  }

  /** A private copy of a shared failure, so callers never share (and add suppressed exceptions to) one instance. */
  private static RuntimeException forCaller(Throwable error) {
    Throwable e = Futures.unwrap(error);
    if (e instanceof CloudPhoneServiceException) {
      CloudPhoneServiceException s = (CloudPhoneServiceException) e;
      return new CloudPhoneServiceException(s.getMessage(), s.statusCode(), s.errorCode(), s.errorMessage(),
          s.requestId(), false, 0);
    }
    if (e instanceof CloudPhoneTimeoutException) {
      return new CloudPhoneTimeoutException(e.getMessage(), e.getCause(), false, 0);
    }
    if (e instanceof CloudPhoneTransportException) {
      return new CloudPhoneTransportException(e.getMessage(), e.getCause(), false, 0);
    }
    if (e instanceof CloudPhoneException || e instanceof IllegalArgumentException
        || e instanceof IllegalStateException) {
      return (RuntimeException) e;
    }
    return new CloudPhoneTransportException("IAM token request failed: " + e, e, false, 0);
  }

  /** User, account, scope and endpoint; the password as {@code ****}. */
  @Override
  public String toString() {
    return "Credentials.iamPassword(user=" + userName + ", account=" + accountName + ", password=" + Secrets.MASK
        + ", project=" + (projectId != null ? "id " + projectId : projectName != null ? "name " + projectName
            : "the client's project id")
        + ", iamEndpoint=" + (iamEndpoint != null ? iamEndpoint.toString() : "https://iam.{region}.myhuaweicloud.com")
        + ')';
  }

  private static final class Slot {
    final IamTokenExchange exchange;
    final TokenSlot cache;
    final String description;

    Slot(IamTokenExchange exchange, TokenSlot cache, String description) {
      this.exchange = exchange;
      this.cache = cache;
      this.description = description;
    }
  }

  /**
   * Builds {@link IamPasswordCredentials}. User name, password and account name are required; the rest
   * have defaults.
   *
   * <pre>{@code
   * IamPasswordCredentials credentials = IamPasswordCredentials.builder()
   *     .userName("alice").password(password).accountName("acme")
   *     .projectId("0123456789abcdef0123456789abcdef")
   *     .iamEndpoint(URI.create("https://iam.cn-north-4.myhuaweicloud.com"))
   *     .refreshAhead(Duration.ofHours(2))
   *     .build();
   * }</pre>
   */
  public static final class Builder {
    private String userName;
    private String password;
    private String accountName;
    private String projectId;
    private String projectName;
    private URI iamEndpoint;
    private Duration refreshAhead = DEFAULT_REFRESH_AHEAD;
    private Duration timeout = DEFAULT_TIMEOUT;
    private Clock clock;

    Builder() {}

    /**
     * The IAM user name. Required.
     *
     * @param userName not blank, no control characters; checked in {@link #build()}
     * @return this builder
     */
    public Builder userName(String userName) {
      this.userName = userName;
      return this;
    }

    /**
     * The IAM user's password. Required; it is sent only to IAM, in the body of the token request.
     *
     * @param password not empty; checked in {@link #build()}
     * @return this builder
     */
    public Builder password(String password) {
      this.password = password;
      return this;
    }

    /**
     * The account (domain) name the user belongs to; for the account's own user it is the user name. Required.
     *
     * @param accountName not blank, no control characters; checked in {@link #build()}
     * @return this builder
     */
    public Builder accountName(String accountName) {
      this.accountName = accountName;
      return this;
    }

    /**
     * Scope the token to this project id. Default: the client's project id. Excludes {@link #projectName}.
     *
     * @param projectId the project id, or {@code null} for the default
     * @return this builder
     */
    public Builder projectId(String projectId) {
      this.projectId = projectId;
      return this;
    }

    /**
     * Scope the token to the project of this name (e.g. {@code cn-north-4}). Excludes {@link #projectId}.
     *
     * @param projectName the project name, or {@code null} to scope by project id
     * @return this builder
     */
    public Builder projectName(String projectName) {
      this.projectName = projectName;
      return this;
    }

    /**
     * The IAM endpoint, e.g. {@link IamPasswordCredentials#GLOBAL_ENDPOINT}. Default: {@code
     * https://iam.{region}.myhuaweicloud.com} for the client's region (required when the client was given
     * only an endpoint). Must be {@code https}, except for loopback hosts (local emulators).
     *
     * @param iamEndpoint absolute, with a host, without query, fragment or user info
     * @return this builder
     */
    public Builder iamEndpoint(URI iamEndpoint) {
      this.iamEndpoint = checkEndpoint(iamEndpoint);
      return this;
    }

    /**
     * Renew the token once less than this is left of its life (but never before half of its life has
     * passed). Default {@link IamPasswordCredentials#DEFAULT_REFRESH_AHEAD}; zero renews only at expiry.
     *
     * @param refreshAhead zero or more
     * @return this builder
     */
    public Builder refreshAhead(Duration refreshAhead) {
      Objects.requireNonNull(refreshAhead, "refreshAhead");
      if (refreshAhead.isNegative()) {
        throw new IllegalArgumentException("refreshAhead must be zero or positive, got " + refreshAhead);
      }
      this.refreshAhead = refreshAhead;
      return this;
    }

    /**
     * How long one IAM request may take. Default {@link IamPasswordCredentials#DEFAULT_TIMEOUT}. Each call
     * also waits no longer than its own attempt timeout.
     *
     * @param timeout positive
     * @return this builder
     */
    public Builder timeout(Duration timeout) {
      Objects.requireNonNull(timeout, "timeout");
      if (timeout.isNegative() || timeout.isZero()) {
        throw new IllegalArgumentException("timeout must be positive, got " + timeout);
      }
      this.timeout = timeout;
      return this;
    }

    /**
     * The clock that decides when a token is due for renewal; default: the client's clock.
     *
     * @param clock not {@code null}
     * @return this builder
     */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * The credentials. No request is made here: the first call fetches the token.
     *
     * @return new credentials with an empty token cache
     * @throws IllegalArgumentException when a required field is missing or blank, or both project id and
     *     project name are set (the message never contains the password)
     */
    public IamPasswordCredentials build() {
      Secrets.checkName(userName, "userName");
      if (password == null) {
        throw new IllegalArgumentException("password is required (got null)");
      }
      if (password.isEmpty()) {
        throw new IllegalArgumentException("password must not be empty");
      }
      Secrets.checkName(accountName, "accountName");
      if (projectId != null && projectName != null) {
        throw new IllegalArgumentException("set either projectId or projectName, not both");
      }
      if (projectId != null) {
        Secrets.checkName(projectId, "projectId");
      }
      if (projectName != null) {
        Secrets.checkName(projectName, "projectName");
      }
      return new IamPasswordCredentials(this);
    }

    private static URI checkEndpoint(URI uri) {
      Objects.requireNonNull(uri, "iamEndpoint");
      String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
      if (!uri.isAbsolute() || uri.getHost() == null || !(scheme.equals("https") || scheme.equals("http"))) {
        throw new IllegalArgumentException("iamEndpoint must be an absolute https URI with a host, got " + uri);
      }
      if (uri.getRawQuery() != null || uri.getRawFragment() != null || uri.getRawUserInfo() != null) {
        throw new IllegalArgumentException("iamEndpoint must not have a query, fragment or user info, got "
            + uri.getScheme() + "://" + uri.getHost() + "/...");
      }
      if (scheme.equals("http") && !Endpoints.isLoopback(uri.getHost())) {
        throw new IllegalArgumentException("iamEndpoint must use https (the password would travel in clear);"
            + " plain http is allowed only for loopback hosts, got " + uri);
      }
      return uri;
    }
  }
}
