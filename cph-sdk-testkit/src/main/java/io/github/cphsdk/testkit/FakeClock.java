package io.github.cphsdk.testkit;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A {@link Clock} that stands still until the test moves it: give it to {@link FakeCloudPhoneServer} (and
 * to the client under test) and jobs finish exactly when the test says so, without sleeping.
 *
 * <pre>{@code
 * FakeClock clock = new FakeClock(Instant.parse("2026-01-01T00:00:00Z"));
 * FakeCloudPhoneServer server = FakeCloudPhoneServer.builder().clock(clock).jobDuration(Duration.ofSeconds(30)).start();
 * // ... push: every job reports status 1 (running)
 * clock.advance(Duration.ofSeconds(30));
 * // ... list the jobs: now they report status 2 (succeeded) or -1 (failed)
 * }</pre>
 *
 * <p>Thread-safe. Clocks made by {@link #withZone} share the same time, so advancing one advances all.
 */
public final class FakeClock extends Clock {
  /** Where {@link #FakeClock()} starts: {@code 2026-01-01T00:00:00Z}. */
  public static final Instant DEFAULT_START = Instant.parse("2026-01-01T00:00:00Z");

  private final AtomicReference<Instant> now;
  private final ZoneId zone;

  /** A clock standing at {@link #DEFAULT_START}, in UTC. */
  public FakeClock() {
    this(DEFAULT_START);
  }

  /**
   * A clock standing at {@code start}, in UTC.
   *
   * @param start the instant the clock shows until it is moved
   * @throws NullPointerException when {@code start} is null
   */
  public FakeClock(Instant start) {
    this(new AtomicReference<>(Objects.requireNonNull(start, "start")), ZoneOffset.UTC);
  }

  private FakeClock(AtomicReference<Instant> now, ZoneId zone) {
    this.now = now;
    this.zone = zone;
  }

  @Override
  public Instant instant() {
    return now.get();
  }

  @Override
  public ZoneId getZone() {
    return zone;
  }

  @Override
  public Clock withZone(ZoneId zone) {
    return new FakeClock(now, Objects.requireNonNull(zone, "zone"));
  }

  /**
   * Moves the clock forward by {@code duration} and returns the new instant.
   *
   * @param duration zero or more
   * @return the instant the clock shows now
   * @throws IllegalArgumentException when {@code duration} is negative
   */
  public Instant advance(Duration duration) {
    Objects.requireNonNull(duration, "duration");
    if (duration.isNegative()) {
      throw new IllegalArgumentException("duration must not be negative, got " + duration);
    }
    return now.updateAndGet(t -> t.plus(duration));
  }

  /**
   * Sets the clock to {@code instant} (forwards or backwards).
   *
   * @param instant the new time; not {@code null}
   */
  public void set(Instant instant) {
    now.set(Objects.requireNonNull(instant, "instant"));
  }

  @Override
  public String toString() {
    return "FakeClock[" + now.get() + ", " + zone + "]";
  }
}
