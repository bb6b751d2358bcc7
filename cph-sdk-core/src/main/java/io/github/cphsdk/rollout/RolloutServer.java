package io.github.cphsdk.rollout;

import java.util.Objects;
import java.util.Optional;

/**
 * Where one server of a rollout stands: what its push did ({@link #push()}), its job, and the resulting
 * {@link #status()}. A {@link RolloutReport} holds exactly one per server.
 */
public final class RolloutServer {

  /** What the push did for this server. */
  public enum Push {
    /** Not sent: the gate stopped the rollout, it was cancelled, or the service refused the credentials first. */
    NOT_SENT,
    /** A job was started ({@link #jobId()}, {@link #requestId()}). */
    ACCEPTED,
    /** The service's answer refused this server ({@link #errorCode()}, {@link #errorMessage()}). */
    REJECTED,
    /** The service refused the whole batch with an error that proves nothing was started (e.g. a 400). */
    REFUSED,
    /**
     * Sent, but whether the service acted is unknown: the process died, or the call failed after it may have
     * reached the service, before the answer was recorded. Not pushed again unless
     * {@link Rollout.Builder#rePushAmbiguous(boolean)} opts in; list the service's jobs to find out.
     */
    AMBIGUOUS
  }

  /** The server's overall state. */
  public enum Status {
    /** Its job succeeded. */
    SUCCEEDED,
    /** Its job failed ({@link #errorCode()}, {@link #errorMessage()}). */
    FAILED,
    /** Its job was still running when the wait ended (timeout or cancel); resume to wait again. */
    RUNNING,
    /** The push rejected it. */
    REJECTED,
    /** Its batch was refused; nothing was started. */
    REFUSED,
    /** Its push is {@link Push#AMBIGUOUS}: a job may or may not exist. */
    UNKNOWN,
    /** It was never sent. */
    NOT_SENT
  }

  private final String serverId;
  private final int wave;
  private final int batch;
  private final Push push;
  private final Status status;
  private final String requestId;
  private final String jobId;
  private final String errorCode;
  private final String errorMessage;

  /**
   * Creates the value.
   *
   * @param serverId the server id
   * @param wave the 0-based wave
   * @param batch the 0-based batch (over the whole rollout)
   * @param push what the push did
   * @param status the overall state
   * @param requestId the batch's request id, or {@code null}
   * @param jobId the job id, or {@code null}
   * @param errorCode the service's error code (rejection, failed job, refused batch), or {@code null}
   * @param errorMessage the error's message, or {@code null}
   */
  public RolloutServer(String serverId, int wave, int batch, Push push, Status status, String requestId,
      String jobId, String errorCode, String errorMessage) {
    this.serverId = Objects.requireNonNull(serverId, "serverId");
    this.wave = wave;
    this.batch = batch;
    this.push = Objects.requireNonNull(push, "push");
    this.status = Objects.requireNonNull(status, "status");
    this.requestId = requestId;
    this.jobId = jobId;
    this.errorCode = errorCode;
    this.errorMessage = errorMessage;
  }

  /** {@return the server id} */
  public String serverId() {
    return serverId;
  }

  /** {@return the 0-based wave of this server; 0 is the canary} */
  public int wave() {
    return wave;
  }

  /** {@return the 0-based batch (HTTP request) of this server, counted over the whole rollout} */
  public int batch() {
    return batch;
  }

  /** {@return what the push did} */
  public Push push() {
    return push;
  }

  /** {@return the overall state} */
  public Status status() {
    return status;
  }

  /** {@return the request id of the push that started its job} */
  public Optional<String> requestId() {
    return Optional.ofNullable(requestId);
  }

  /** {@return the job id} */
  public Optional<String> jobId() {
    return Optional.ofNullable(jobId);
  }

  /** {@return the service's error code: the failed job's, the rejection's or the refused batch's} */
  public Optional<String> errorCode() {
    return Optional.ofNullable(errorCode);
  }

  /** {@return the error's message} */
  public Optional<String> errorMessage() {
    return Optional.ofNullable(errorMessage);
  }

  @Override
  public String toString() {
    return serverId + " " + status + " (push " + push + (jobId != null ? ", job " + jobId : "")
        + (errorCode != null ? ", " + errorCode : "") + ")";
  }
}
