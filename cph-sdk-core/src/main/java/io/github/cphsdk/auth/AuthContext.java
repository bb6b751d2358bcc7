package io.github.cphsdk.auth;

import io.github.cphsdk.http.HttpTransport;
import java.net.URI;
import java.time.Clock;
import java.util.Objects;
import java.util.Optional;

/**
 * What a {@link Credentials} implementation may need from the client that calls it: the project, the
 * region, the endpoint, the transport (to reach IAM) and the clock.
 *
 * <pre>{@code
 * AuthContext context = AuthContext.of("0123456789abcdef0123456789abcdef", "cn-north-4",
 *     URI.create("https://cph.cn-north-4.myhuaweicloud.com"), transport, Clock.systemUTC());
 * }</pre>
 */
public final class AuthContext {
  private final String projectId;
  private final String region;
  private final URI endpoint;
  private final HttpTransport transport;
  private final Clock clock;

  private AuthContext(String projectId, String region, URI endpoint, HttpTransport transport, Clock clock) {
    this.projectId = Objects.requireNonNull(projectId, "projectId");
    this.region = region;
    this.endpoint = Objects.requireNonNull(endpoint, "endpoint");
    this.transport = Objects.requireNonNull(transport, "transport");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /**
   * A context; {@code region} may be {@code null} when the client was given only an endpoint.
   *
   * @param projectId the client's project id; not {@code null}
   * @param region the client's region, e.g. {@code cn-north-4}, or {@code null}
   * @param endpoint the CPH endpoint; not {@code null}
   * @param transport the client's transport; not {@code null}
   * @param clock the client's clock; not {@code null}
   * @return a new context
   */
  public static AuthContext of(String projectId, String region, URI endpoint, HttpTransport transport, Clock clock) {
    return new AuthContext(projectId, region, endpoint, transport, clock);
  }

  /** {@return the client's project id} */
  public String projectId() {
    return projectId;
  }

  /** {@return the client's region, when it was configured with one} */
  public Optional<String> region() {
    return Optional.ofNullable(region);
  }

  /** {@return the CPH endpoint the client talks to} */
  public URI endpoint() {
    return endpoint;
  }

  /** {@return the client's transport, for credentials that must call another service (IAM)} */
  public HttpTransport transport() {
    return transport;
  }

  /** {@return the client's clock (UTC)} */
  public Clock clock() {
    return clock;
  }

  @Override
  public String toString() {
    return "AuthContext{projectId=" + projectId + ", region=" + region + ", endpoint=" + endpoint + '}';
  }
}
