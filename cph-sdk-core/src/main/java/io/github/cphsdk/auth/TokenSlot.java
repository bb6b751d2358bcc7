package io.github.cphsdk.auth;

import io.github.cphsdk.CloudPhoneServiceException;
import io.github.cphsdk.internal.Futures;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cached token of one (IAM endpoint, scope) and the single flight that renews it.
 *
 * <ul>
 *   <li>A token is used until {@code expiresAt - min(refreshAhead, lifetime / 2)}; then the next caller
 *       starts one fetch and every caller that needs a token meanwhile shares it (one IAM request, never
 *       one per caller). The fetch is asynchronous, so no thread is held while it runs.
 *   <li>If a renewal fails while the old token is still valid, the old token is used and the next renewal is
 *       tried after {@link #RETRY_PAUSE} (a WARN line says why), so an IAM outage does not fail calls that
 *       still hold a good token.
 *   <li>When IAM refuses the login (a 4xx answer: wrong password, locked or unknown user, unknown project),
 *       the refusal is remembered for {@link #REFUSAL_PAUSE} and calls in that time fail at once with it
 *       instead of asking again: repeated wrong-password logins would get the IAM user locked.
 *   <li>{@link #drop} forgets the token after the service refused it. The token fetched after a drop is
 *       protected from further drops for {@link #PROTECT_AFTER_DROP}: when many calls were refused with the
 *       same old token at once, their late reports do not throw away the new one.
 * </ul>
 */
final class TokenSlot {
  static final Duration RETRY_PAUSE = Duration.ofMinutes(1);
  static final Duration PROTECT_AFTER_DROP = Duration.ofSeconds(10);
  static final Duration REFUSAL_PAUSE = Duration.ofMinutes(5);

  private static final Logger LOG = LoggerFactory.getLogger(IamPasswordCredentials.class);

  private final Duration refreshAhead;
  private final String description;
  private final Object lock = new Object();

  // all guarded by lock
  private IamToken token;
  private Instant refreshAt;
  private Instant retryAfter;
  private Instant protectedUntil;
  private boolean afterDrop;
  private CompletableFuture<IamToken> inFlight;
  private CloudPhoneServiceException refusal;
  private Instant refusedUntil;

  TokenSlot(Duration refreshAhead, String description) {
    this.refreshAhead = refreshAhead;
    this.description = description;
  }

  /**
   * The cached token when it is fresh; otherwise the shared fetch (started with {@code fetch} when none is
   * running). The returned future must not be completed or cancelled by the caller.
   */
  CompletableFuture<IamToken> acquire(Clock clock, Supplier<CompletableFuture<IamToken>> fetch) {
    Instant now = clock.instant();
    CompletableFuture<IamToken> started;
    synchronized (lock) {
      if (token != null) {
        if (now.isBefore(refreshAt)) {
          return CompletableFuture.completedFuture(token);
        }
        if (inFlight == null && retryAfter != null && now.isBefore(retryAfter) && now.isBefore(token.expiresAt)) {
          return CompletableFuture.completedFuture(token);
        }
      }
      if (inFlight != null) {
        return inFlight;
      }
      if (refusal != null && now.isBefore(refusedUntil)) {
        return Futures.failed(remembered(refusal, refusedUntil));
      }
      started = new CompletableFuture<>();
      inFlight = started;
    }
    CompletableFuture<IamToken> fetched;
    try {
      fetched = fetch.get();
    } catch (RuntimeException e) {
      fetched = Futures.failed(e);
    }
    fetched.whenComplete((t, e) -> finish(started, t, e, clock));
    return started;
  }

  private void finish(CompletableFuture<IamToken> flight, IamToken fresh, Throwable error, Clock clock) {
    Instant now = clock.instant();
    IamToken fallback = null;
    Instant refreshAtNow = null;
    synchronized (lock) {
      inFlight = null;
      if (error == null) {
        token = fresh;
        refreshAt = refreshTime(fresh);
        refreshAtNow = refreshAt;
        retryAfter = null;
        protectedUntil = afterDrop ? now.plus(PROTECT_AFTER_DROP) : null;
        afterDrop = false;
        refusal = null;
      } else if (token != null && now.isBefore(token.expiresAt)) {
        fallback = token;
        retryAfter = now.plus(RETRY_PAUSE);
      } else if (isRefusal(Futures.unwrap(error))) {
        refusal = (CloudPhoneServiceException) Futures.unwrap(error);
        refusedUntil = now.plus(REFUSAL_PAUSE);
      }
    }
    if (error == null) {
      LOG.debug("IAM token for {} obtained; expires at {}, renewed from {}", description, fresh.expiresAt, refreshAtNow);
      flight.complete(fresh);
    } else if (fallback != null) {
      LOG.warn("Renewing the IAM token for {} failed; using the current token (valid until {}) and trying again"
          + " after {}: {}", description, fallback.expiresAt, RETRY_PAUSE, Futures.unwrap(error).getMessage());
      flight.complete(fallback);
    } else {
      flight.completeExceptionally(Futures.unwrap(error));
    }
  }

  /** Forgets the cached token unless a fetch is running or the token was fetched right after a drop. */
  boolean drop(Instant now) {
    synchronized (lock) {
      if (token == null || inFlight != null || (protectedUntil != null && now.isBefore(protectedUntil))) {
        return false;
      }
      token = null;
      refreshAt = null;
      retryAfter = null;
      protectedUntil = null;
      afterDrop = true;
      return true;
    }
  }

  /**
   * {@code expiresAt - min(refreshAhead, lifetime / 2)}; a token that by this rule would be stale at once (a
   * lifetime too short to be real) is still used for {@link #RETRY_PAUSE}, so IAM is asked at most once a
   * minute.
   */
  Instant refreshTime(IamToken t) {
    Duration lifetime = Duration.between(t.fetchedAt, t.expiresAt);
    if (lifetime.isNegative()) {
      lifetime = Duration.ZERO;
    }
    Duration half = lifetime.dividedBy(2);
    Instant at = t.expiresAt.minus(refreshAhead.compareTo(half) < 0 ? refreshAhead : half);
    if (!at.isAfter(t.fetchedAt)) {
      LOG.warn("IAM issued a token for {} that expires at {}, which leaves no usable lifetime by the local clock;"
          + " asking again after {}", description, t.expiresAt, RETRY_PAUSE);
      return t.fetchedAt.plus(RETRY_PAUSE);
    }
    return at;
  }

  private static boolean isRefusal(Throwable e) {
    return e instanceof CloudPhoneServiceException && ((CloudPhoneServiceException) e).statusCode() >= 400
        && ((CloudPhoneServiceException) e).statusCode() < 500;
  }

  private static CloudPhoneServiceException remembered(CloudPhoneServiceException e, Instant until) {
    return new CloudPhoneServiceException(e.getMessage() + " (IAM's answer to an earlier login; not asked again"
        + " until " + until + " so that repeated failed logins do not lock the user)", e.statusCode(), e.errorCode(),
        e.errorMessage(), e.requestId(), false, 0);
  }

  @Override
  public String toString() {
    return "TokenSlot{" + description + '}';
  }
}
