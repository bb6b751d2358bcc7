package io.github.cphsdk.model;

import io.github.cphsdk.CloudPhoneException;
import java.util.Optional;
import org.immutables.value.Value;

/**
 * What became of one server id of a batched push or delete ({@link BatchOutcome}): exactly one of
 * <ul>
 *   <li>{@link Result#ACCEPTED}: the service started a job ({@link #jobId()}, {@link #requestId()});
 *   <li>{@link Result#REJECTED}: the service answered and refused this server ({@link #errorCode()},
 *       {@link #errorMsg()}), e.g. a server that does not support shared applications;
 *   <li>{@link Result#BATCH_FAILED}: the request carrying this server failed as a whole ({@link #failure()});
 *       whether it may still have started a job is {@link CloudPhoneException#mayHaveBeenApplied()};
 *   <li>{@link Result#NOT_CONFIRMED}: the service accepted the request but its answer did not mention this
 *       server. It may have started a job: {@link #mayHaveBeenApplied()} is {@code true}; list the jobs of
 *       {@link #requestId()} before pushing to it again.
 * </ul>
 *
 * <pre>{@code
 * for (ServerOutcome s : outcome.servers()) {
 *   if (s.result() != ServerOutcome.Result.ACCEPTED && !s.mayHaveBeenApplied()) {
 *     retryLater.add(s.serverId());      // nothing was started there: safe to push again
 *   }
 * }
 * }</pre>
 */
@Value.Immutable
public abstract class ServerOutcome {

  /** The four possible fates of a server id. */
  public enum Result {
    /** A job was started. */
    ACCEPTED,
    /** The service refused this server in an answer to the request. */
    REJECTED,
    /** The request carrying this server failed as a whole; see {@link #failure()}. */
    BATCH_FAILED,
    /** The request was accepted but the answer did not mention this server. */
    NOT_CONFIRMED
  }

  ServerOutcome() {}

  /** {@return a new builder, for tests and fakes} */
  public static Builder builder() {
    return ImmutableServerOutcome.builder();
  }

  /** {@return the server id, as given in the request} */
  public abstract String serverId();

  /** {@return what became of the server id} */
  public abstract Result result();

  /** {@return the 0-based index of the batch (HTTP request) that carried this server} */
  @Value.Default
  public int batch() {
    return 0;
  }

  /**
   * {@return the request id of the batch's answer (use it to list its jobs); empty when the batch failed without
   * one}
   */
  public abstract Optional<String> requestId();

  /** {@return the started job's id ({@link Result#ACCEPTED})} */
  public abstract Optional<String> jobId();

  /** {@return the service's error code for this server ({@link Result#REJECTED})} */
  public abstract Optional<String> errorCode();

  /** {@return the service's error message for this server ({@link Result#REJECTED})} */
  public abstract Optional<String> errorMsg();

  /** {@return why the batch failed ({@link Result#BATCH_FAILED} only)} */
  public abstract Optional<CloudPhoneException> failure();

  /**
   * Whether a job may have been started on this server: {@code true} when accepted or not confirmed,
   * {@code false} when rejected (unless the rejection still named a job), and for a failed batch whatever
   * its exception says.
   *
   * @return {@code false} only when no job can have been started on this server
   */
  public boolean mayHaveBeenApplied() {
    switch (result()) {
      case ACCEPTED:
      case NOT_CONFIRMED:
        return true;
      case REJECTED:
        return jobId().isPresent();
      default:
        return failure().map(CloudPhoneException::mayHaveBeenApplied).orElse(true);
    }
  }

  @Value.Check
  void check() {
    if (result() == Result.ACCEPTED && !jobId().isPresent()) {
      throw new IllegalArgumentException("jobId is required when result is ACCEPTED");
    }
    if ((result() == Result.BATCH_FAILED) != failure().isPresent()) {
      throw new IllegalArgumentException("failure is required when, and only when, result is BATCH_FAILED");
    }
    if (batch() < 0) {
      throw new IllegalArgumentException("batch must be >= 0, got " + batch());
    }
  }

  /** Builds a {@link ServerOutcome}. */
  public abstract static class Builder {
    Builder() {} // implemented by the generated builder only

    /**
     * Copies every attribute of {@code instance}; collections are added to, not replaced.
     *
     * @param instance the value to copy
     * @return this builder
     */
    public abstract Builder from(ServerOutcome instance);

    /**
     * Sets {@link ServerOutcome#serverId()}.
     *
     * @param serverId the value
     * @return this builder
     */
    public abstract Builder serverId(String serverId);

    /**
     * Sets {@link ServerOutcome#result()}.
     *
     * @param result the value
     * @return this builder
     */
    public abstract Builder result(Result result);

    /**
     * Sets {@link ServerOutcome#batch()}.
     *
     * @param batch the value
     * @return this builder
     */
    public abstract Builder batch(int batch);

    /**
     * Sets {@link ServerOutcome#requestId()}.
     *
     * @param requestId the value
     * @return this builder
     */
    public abstract Builder requestId(String requestId);

    /**
     * Sets {@link ServerOutcome#requestId()}; an empty value clears it.
     *
     * @param requestId the value, or empty
     * @return this builder
     */
    public abstract Builder requestId(Optional<String> requestId);

    /**
     * Sets {@link ServerOutcome#jobId()}.
     *
     * @param jobId the value
     * @return this builder
     */
    public abstract Builder jobId(String jobId);

    /**
     * Sets {@link ServerOutcome#jobId()}; an empty value clears it.
     *
     * @param jobId the value, or empty
     * @return this builder
     */
    public abstract Builder jobId(Optional<String> jobId);

    /**
     * Sets {@link ServerOutcome#errorCode()}.
     *
     * @param errorCode the value
     * @return this builder
     */
    public abstract Builder errorCode(String errorCode);

    /**
     * Sets {@link ServerOutcome#errorCode()}; an empty value clears it.
     *
     * @param errorCode the value, or empty
     * @return this builder
     */
    public abstract Builder errorCode(Optional<String> errorCode);

    /**
     * Sets {@link ServerOutcome#errorMsg()}.
     *
     * @param errorMsg the value
     * @return this builder
     */
    public abstract Builder errorMsg(String errorMsg);

    /**
     * Sets {@link ServerOutcome#errorMsg()}; an empty value clears it.
     *
     * @param errorMsg the value, or empty
     * @return this builder
     */
    public abstract Builder errorMsg(Optional<String> errorMsg);

    /**
     * Sets {@link ServerOutcome#failure()}.
     *
     * @param failure the value
     * @return this builder
     */
    public abstract Builder failure(CloudPhoneException failure);

    /**
     * Sets {@link ServerOutcome#failure()}; an empty value clears it.
     *
     * @param failure the value, or empty
     * @return this builder
     */
    public abstract Builder failure(Optional<? extends CloudPhoneException> failure);

    /**
     * Builds the value.
     *
     * @return the value, immutable
     */
    public abstract ServerOutcome build();
  }
}
