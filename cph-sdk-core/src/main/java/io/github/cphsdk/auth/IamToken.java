package io.github.cphsdk.auth;

import java.time.Instant;

/** A token IAM issued and when it dies, by the local clock. {@code toString()} leaves the token out. */
final class IamToken {
  final String value;
  /** When the token expires, translated to the local clock. */
  final Instant expiresAt;
  /** When the request that fetched it started, by the local clock. */
  final Instant fetchedAt;

  IamToken(String value, Instant expiresAt, Instant fetchedAt) {
    this.value = value;
    this.expiresAt = expiresAt;
    this.fetchedAt = fetchedAt;
  }

  @Override
  public String toString() {
    return "IamToken{" + Secrets.MASK + ", fetchedAt=" + fetchedAt + ", expiresAt=" + expiresAt + '}';
  }
}
