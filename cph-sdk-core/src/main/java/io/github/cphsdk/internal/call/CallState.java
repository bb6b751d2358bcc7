package io.github.cphsdk.internal.call;

import io.github.cphsdk.CloudPhoneException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The state of one call across its attempts, the same for the synchronous and the asynchronous path: its id and
 * deadline, the earlier failures, whether any attempt may have been applied, and the exception it ends with.
 */
final class CallState {
  final Operation<?> op;
  final String id = callId();
  final long deadline;
  // Written by the thread driving the call; read too by close() for an asynchronous call it fails.
  final List<CloudPhoneException> earlier = new CopyOnWriteArrayList<>();
  volatile boolean anyApplied;
  /** Whether the credentials were refreshed after a 401 (at most once per call, see {@link RetryRules}). */
  boolean refreshed;

  CallState(Operation<?> op, long deadline) {
    this.op = op;
    this.deadline = deadline;
  }

  /** Keeps a failure that is retried: it becomes a suppressed exception of the call's final one. */
  void recordRetry(Failure failure, int attempt) {
    anyApplied |= failure.mayHaveBeenApplied;
    earlier.add(failure.toException(attempt));
  }

  /** The exception the call ends with, after {@code attempts} attempts; logged at WARN. */
  CloudPhoneException fail(Failure failure, int attempts) {
    Failure f = failure;
    if (anyApplied && !f.mayHaveBeenApplied) {
      f = f.appliedEarlier(CallMessages.appliedEarlier(op));
    }
    CloudPhoneException e = f.toException(attempts);
    earlier.forEach(e::addSuppressed);
    if (CallPipeline.LOG.isWarnEnabled()) {
      CallPipeline.LOG.warn("{} {} failed after {} attempt(s) (call {}): {}", op.method, op.logPath, attempts, id,
          e.getMessage());
    }
    return e;
  }

  /** The exception the call ends with when its credentials could not authorize an attempt. */
  CloudPhoneException failCredentials(Throwable error, int attempts) {
    if (error instanceof CloudPhoneException && !anyApplied) {
      CloudPhoneException e = (CloudPhoneException) error;
      earlier.forEach(e::addSuppressed);
      CallPipeline.LOG.warn("{} {} failed (call {}): {}", op.method, op.logPath, id, e.getMessage());
      return e;
    }
    return fail(Failure.other(false, CallMessages.credentialsFailed(op, error), error), attempts);
  }

  /** 32 lower-case hex digits (two random longs with the top bit set, so always 16 digits each). */
  private static String callId() {
    ThreadLocalRandom r = ThreadLocalRandom.current();
    char[] id = new char[32];
    hex16(r.nextLong() | Long.MIN_VALUE, id, 0);
    hex16(r.nextLong() | Long.MIN_VALUE, id, 16);
    return new String(id);
  }

  private static void hex16(long v, char[] into, int at) {
    for (int i = 15; i >= 0; i--) {
      into[at + i] = HEX_DIGITS[(int) (v & 0xf)];
      v >>>= 4;
    }
  }

  private static final char[] HEX_DIGITS = "0123456789abcdef".toCharArray();
}
