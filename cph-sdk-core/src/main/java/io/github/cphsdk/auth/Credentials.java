package io.github.cphsdk.auth;

import io.github.cphsdk.http.HttpRequest;
import io.github.cphsdk.internal.Futures;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * How the client proves who it is. Before every attempt (so a new signature date or a rotated token is
 * used each time) the client hands the final request, with its method, URI, headers and body bytes, to
 * {@link #authorize}, which returns it with the authentication headers added.
 *
 * <pre>{@code
 * Credentials.akSk(ak, sk)                       // SDK-HMAC-SHA256 signing with an access key
 * Credentials.akSk(ak, sk, securityToken)        // temporary access key
 * Credentials.iamPassword().userName("alice").password(pw).accountName("acme").build()  // IAM token, renewed
 * Credentials.token("MIIZ...")                   // X-Auth-Token, an IAM token you already have
 * Credentials.token(() -> tokenCache.current())  // asked on every attempt
 * Credentials.fromEnvironment()                  // HUAWEICLOUD_SDK_AK/SK[/SECURITY_TOKEN], else CPH_AUTH_TOKEN
 * }</pre>
 *
 * <p>Implementations must be thread-safe and must never put a secret in {@code toString()}, a log line or
 * an exception message.
 */
public interface Credentials {

  /**
   * Returns {@code request} with the authentication headers added. May block (for example to fetch a
   * token); the SDK calls it on the caller's thread for synchronous calls.
   *
   * @param request the attempt as it will be sent, without authentication headers
   * @param context the calling client's project, region, endpoint, transport and clock
   * @return a request with the authentication headers added; {@code request} itself is immutable
   * @throws RuntimeException when no credentials can be produced; the call fails with it as the cause,
   *     before anything is sent
   */
  HttpRequest authorize(HttpRequest request, AuthContext context);

  /**
   * The non-blocking form, used by asynchronous calls. The default runs {@link #authorize} on the calling
   * thread, which is right for credentials that never block.
   *
   * @param request the attempt as it will be sent, without authentication headers
   * @param context the calling client's project, region, endpoint, transport and clock
   * @return the authorized request's future; failing it fails the call before anything is sent
   */
  default CompletableFuture<HttpRequest> authorizeAsync(HttpRequest request, AuthContext context) {
    try {
      return CompletableFuture.completedFuture(authorize(request, context));
    } catch (RuntimeException e) {
      return Futures.failed(e); // CompletableFuture.failedFuture is not on Android 26
    }
  }

  /**
   * Called when the service answered 401 to a request these credentials authorized. Return {@code true}
   * when fresh credentials may succeed (an expired token was dropped): the client then repeats the call
   * once, which is safe because a 401 was not applied. The default returns {@code false}.
   *
   * @param errorCode the service's error code, e.g. {@code APIGW.0307}, or {@code null}
   * @param errorMessage the service's error message, or {@code null}
   * @return {@code true} to have the call repeated once with fresh credentials
   */
  default boolean refreshAfterUnauthorized(String errorCode, String errorMessage) {
    return false;
  }

  /**
   * An IAM token sent as {@code X-Auth-Token} on every request.
   *
   * @param token the IAM token, e.g. {@code MIIZ...}
   * @return credentials that send this token
   * @throws IllegalArgumentException when the token is blank or contains CR, LF or control characters
   */
  static Credentials token(String token) {
    return TokenCredentials.of(token);
  }

  /**
   * An IAM token asked from {@code supplier} before every attempt, so a rotated token is picked up. The
   * supplier must be thread-safe and fast (it runs on the caller's thread).
   *
   * @param supplier gives the current token; a {@code null}, blank or malformed token fails that call before
   *     sending, with an {@link IllegalArgumentException}
   * @return credentials that send the supplied token
   */
  static Credentials token(Supplier<String> supplier) {
    return new TokenCredentials(Objects.requireNonNull(supplier, "token supplier"));
  }

  /**
   * Signs every attempt with an access key pair ({@code SDK-HMAC-SHA256}). See {@link AkSkCredentials}
   * for what is signed, and its builder for a custom clock.
   *
   * @param accessKey the access key id (AK)
   * @param secretKey the secret access key (SK)
   * @return credentials that sign with this key pair, dated by the client's clock
   * @throws IllegalArgumentException when a key is null, blank or not printable ASCII, or the access key
   *     contains a comma (the message names the argument and never contains the key)
   */
  static Credentials akSk(String accessKey, String secretKey) {
    return AkSkCredentials.create(accessKey, secretKey, null, null, "accessKey", "secretKey", "securityToken");
  }

  /**
   * Signs every attempt with temporary access keys: like {@link #akSk(String, String)} plus the security
   * token, sent and signed as {@code X-Security-Token}.
   *
   * @param accessKey the temporary access key id (AK)
   * @param secretKey the temporary secret access key (SK)
   * @param securityToken the security token issued with them
   * @return credentials that sign with these temporary keys
   * @throws IllegalArgumentException when a value is null, blank or not printable ASCII
   */
  static Credentials akSk(String accessKey, String secretKey, String securityToken) {
    if (securityToken == null) {
      throw new IllegalArgumentException(
          "securityToken is required (got null); use Credentials.akSk(accessKey, secretKey) for permanent keys");
    }
    return AkSkCredentials.create(accessKey, secretKey, securityToken, null, "accessKey", "secretKey",
        "securityToken");
  }

  /**
   * Starts building credentials that log in to IAM with a user's password and send the token IAM issues,
   * cached and renewed before it expires. See {@link IamPasswordCredentials}.
   *
   * <pre>{@code
   * Credentials credentials = Credentials.iamPassword()
   *     .userName("alice").password(password).accountName("acme")
   *     .build();
   * }</pre>
   *
   * @return a new {@link IamPasswordCredentials} builder
   */
  static IamPasswordCredentials.Builder iamPassword() {
    return IamPasswordCredentials.builder();
  }

  /**
   * Credentials from the process environment: {@code HUAWEICLOUD_SDK_AK} and {@code HUAWEICLOUD_SDK_SK}
   * (plus {@code HUAWEICLOUD_SDK_SECURITY_TOKEN} for temporary keys) give AK/SK signing; otherwise
   * {@code CPH_AUTH_TOKEN} gives a token. Blank values count as unset; values are trimmed.
   *
   * @return AK/SK credentials when both keys are set, else token credentials
   * @throws IllegalStateException when nothing usable is set (the message lists every variable looked
   *     for) or only half of a key pair is set (it says which half is missing)
   * @throws IllegalArgumentException when a value is malformed (named by its variable, never echoed)
   */
  static Credentials fromEnvironment() {
    return fromEnvironment(System::getenv);
  }

  /**
   * Like {@link #fromEnvironment()}, reading variables from {@code environment} (for example
   * {@code Map.of(...)::get} in tests); it returns {@code null} for an unset variable.
   *
   * @param environment maps a variable name to its value, or to {@code null} when unset; read once, here
   * @return AK/SK credentials when both keys are set, else token credentials
   * @throws IllegalStateException when nothing usable is set, or only half of a key pair
   * @throws IllegalArgumentException when a value is malformed
   */
  static Credentials fromEnvironment(Function<String, String> environment) {
    return EnvironmentCredentials.from(Objects.requireNonNull(environment, "environment"));
  }
}
