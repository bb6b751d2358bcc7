package io.github.cphsdk.model;

import java.time.Instant;
import java.util.Optional;
import java.util.OptionalInt;
import org.immutables.value.Value;

/**
 * One CPH job as "show job" and "list jobs" report it: which server, when it began and ended, its
 * {@linkplain #status() status} and, when it failed, why. Fields the service left out (or sent as
 * {@code null}) are empty; unknown fields are ignored.
 *
 * <pre>{@code
 * Job job = client.showJob("1564567b8bab40f34711234cb80d0123");
 * if (job.status() == JobStatus.FAILED) {
 *   System.out.println(job.serverId() + ": " + job.errorCode().orElse("?") + " " + job.errorMsg().orElse("")
 *       + " " + job.executeMsg().orElse(""));
 * }
 * }</pre>
 */
@Value.Immutable
public abstract class Job {

  Job() {}

  /** {@return a new builder, for tests and fakes} */
  public static Builder builder() {
    return ImmutableJob.builder();
  }

  /** {@return the job id ({@code job_id}); empty when the service sent none} */
  @Value.Default
  public String jobId() {
    return "";
  }

  /** {@return the id of the request (e.g. the push) that started the job ({@code request_id}), when sent} */
  public abstract Optional<String> requestId();

  /** {@return the cloud phone server the job runs on ({@code server_id}); empty when the service sent none} */
  @Value.Default
  public String serverId() {
    return "";
  }

  /** {@return the cloud phone the job runs on ({@code phone_id}), for jobs about one phone rather than a server} */
  public abstract Optional<String> phoneId();

  /**
   * {@return when the job began ({@code begin_time}), when sent in a readable form: the documented UTC
   * {@code yyyy-MM-ddTHH:mm:ssZ} or any ISO-8601 instant or offset date-time; see {@link #beginTimeText()}}
   */
  public abstract Optional<Instant> beginTime();

  /** {@return when the job ended ({@code end_time}), when it has ended and the time was sent in a readable form} */
  public abstract Optional<Instant> endTime();

  /**
   * {@return {@code begin_time} exactly as the service sent it, also when {@link #beginTime()} could not read it
   * (another format, a number); empty when the answer had none}
   */
  public abstract Optional<String> beginTimeText();

  /**
   * {@return {@code end_time} exactly as the service sent it, also when {@link #endTime()} could not read it;
   * empty when the answer had none}
   */
  public abstract Optional<String> endTimeText();

  /** {@return the status code exactly as the service sent it ({@code status}); empty when it sent none} */
  public abstract OptionalInt statusCode();

  /** {@return the service's error code ({@code error_code}), usually set when the job failed} */
  public abstract Optional<String> errorCode();

  /** {@return the service's error message ({@code error_msg}), usually set when the job failed} */
  public abstract Optional<String> errorMsg();

  /** {@return what the job's execution reported ({@code execute_msg}, at most 1024 bytes), when sent} */
  public abstract Optional<String> executeMsg();

  /** {@return the status: {@link JobStatus#UNKNOWN} when the code is missing or not 1, 2 or -1} */
  public JobStatus status() {
    return statusCode().isPresent() ? JobStatus.of(statusCode().getAsInt()) : JobStatus.UNKNOWN;
  }

  /** {@return true when the job succeeded or failed (an unknown status is not finished)} */
  public boolean finished() {
    return status().finished();
  }

  /** Builds a {@link Job}. */
  public abstract static class Builder {
    Builder() {} // implemented by the generated builder only

    /**
     * Copies every attribute of {@code instance}; collections are added to, not replaced.
     *
     * @param instance the value to copy
     * @return this builder
     */
    public abstract Builder from(Job instance);

    /**
     * Sets {@link Job#jobId()}.
     *
     * @param jobId the value
     * @return this builder
     */
    public abstract Builder jobId(String jobId);

    /**
     * Sets {@link Job#requestId()}.
     *
     * @param requestId the value
     * @return this builder
     */
    public abstract Builder requestId(String requestId);

    /**
     * Sets {@link Job#requestId()}; an empty value clears it.
     *
     * @param requestId the value, or empty
     * @return this builder
     */
    public abstract Builder requestId(Optional<String> requestId);

    /**
     * Sets {@link Job#serverId()}.
     *
     * @param serverId the value
     * @return this builder
     */
    public abstract Builder serverId(String serverId);

    /**
     * Sets {@link Job#phoneId()}.
     *
     * @param phoneId the value
     * @return this builder
     */
    public abstract Builder phoneId(String phoneId);

    /**
     * Sets {@link Job#phoneId()}; an empty value clears it.
     *
     * @param phoneId the value, or empty
     * @return this builder
     */
    public abstract Builder phoneId(Optional<String> phoneId);

    /**
     * Sets {@link Job#beginTime()}.
     *
     * @param beginTime the value
     * @return this builder
     */
    public abstract Builder beginTime(Instant beginTime);

    /**
     * Sets {@link Job#beginTime()}; an empty value clears it.
     *
     * @param beginTime the value, or empty
     * @return this builder
     */
    public abstract Builder beginTime(Optional<? extends Instant> beginTime);

    /**
     * Sets {@link Job#endTime()}.
     *
     * @param endTime the value
     * @return this builder
     */
    public abstract Builder endTime(Instant endTime);

    /**
     * Sets {@link Job#endTime()}; an empty value clears it.
     *
     * @param endTime the value, or empty
     * @return this builder
     */
    public abstract Builder endTime(Optional<? extends Instant> endTime);

    /**
     * Sets {@link Job#beginTimeText()}.
     *
     * @param beginTimeText the value
     * @return this builder
     */
    public abstract Builder beginTimeText(String beginTimeText);

    /**
     * Sets {@link Job#beginTimeText()}; an empty value clears it.
     *
     * @param beginTimeText the value, or empty
     * @return this builder
     */
    public abstract Builder beginTimeText(Optional<String> beginTimeText);

    /**
     * Sets {@link Job#endTimeText()}.
     *
     * @param endTimeText the value
     * @return this builder
     */
    public abstract Builder endTimeText(String endTimeText);

    /**
     * Sets {@link Job#endTimeText()}; an empty value clears it.
     *
     * @param endTimeText the value, or empty
     * @return this builder
     */
    public abstract Builder endTimeText(Optional<String> endTimeText);

    /**
     * Sets {@link Job#statusCode()}.
     *
     * @param statusCode the value
     * @return this builder
     */
    public abstract Builder statusCode(int statusCode);

    /**
     * Sets {@link Job#statusCode()}; an empty value clears it.
     *
     * @param statusCode the value, or empty
     * @return this builder
     */
    public abstract Builder statusCode(OptionalInt statusCode);

    /**
     * Sets {@link Job#errorCode()}.
     *
     * @param errorCode the value
     * @return this builder
     */
    public abstract Builder errorCode(String errorCode);

    /**
     * Sets {@link Job#errorCode()}; an empty value clears it.
     *
     * @param errorCode the value, or empty
     * @return this builder
     */
    public abstract Builder errorCode(Optional<String> errorCode);

    /**
     * Sets {@link Job#errorMsg()}.
     *
     * @param errorMsg the value
     * @return this builder
     */
    public abstract Builder errorMsg(String errorMsg);

    /**
     * Sets {@link Job#errorMsg()}; an empty value clears it.
     *
     * @param errorMsg the value, or empty
     * @return this builder
     */
    public abstract Builder errorMsg(Optional<String> errorMsg);

    /**
     * Sets {@link Job#executeMsg()}.
     *
     * @param executeMsg the value
     * @return this builder
     */
    public abstract Builder executeMsg(String executeMsg);

    /**
     * Sets {@link Job#executeMsg()}; an empty value clears it.
     *
     * @param executeMsg the value, or empty
     * @return this builder
     */
    public abstract Builder executeMsg(Optional<String> executeMsg);

    /**
     * Builds the value.
     *
     * @return the value, immutable
     */
    public abstract Job build();
  }
}
