package io.github.cphsdk.model;

import java.util.Optional;
import org.immutables.value.Value;

/**
 * What the service did for one server of a push: a job was started ({@link #jobId()}), or the server was
 * rejected ({@link #errorCode()} and {@link #errorMsg()}). A rejection can arrive inside a {@code 200}
 * answer: it is a partial failure, check {@link #accepted()}.
 *
 * <pre>{@code
 * for (ServerJob job : response.jobs()) {
 *   if (job.accepted()) {
 *     System.out.println(job.serverId() + " -> job " + job.jobId().get());
 *   } else {
 *     System.out.println(job.serverId() + " rejected: " + job.errorCode().orElse("?") + " " + job.errorMsg().orElse(""));
 *   }
 * }
 * }</pre>
 */
@Value.Immutable
public abstract class ServerJob {

  ServerJob() {}

  /** {@return a new builder, for tests and fakes} */
  public static Builder builder() {
    return ImmutableServerJob.builder();
  }

  /** {@return the cloud phone server id ({@code server_id}); empty when the service sent none} */
  @Value.Default
  public String serverId() {
    return "";
  }

  /** {@return the id of the job started on that server ({@code job_id}), when one was started} */
  public abstract Optional<String> jobId();

  /** {@return the service's error code for this server ({@code error_code}), when it was rejected} */
  public abstract Optional<String> errorCode();

  /** {@return the service's error message for this server ({@code error_msg}), when it was rejected} */
  public abstract Optional<String> errorMsg();

  /** {@return true when a job was started and no error was reported for this server} */
  public boolean accepted() {
    return jobId().isPresent() && !errorCode().isPresent() && !errorMsg().isPresent();
  }

  /** Builds a {@link ServerJob}. */
  public abstract static class Builder {
    Builder() {} // implemented by the generated builder only

    /**
     * Copies every attribute of {@code instance}; collections are added to, not replaced.
     *
     * @param instance the value to copy
     * @return this builder
     */
    public abstract Builder from(ServerJob instance);

    /**
     * Sets {@link ServerJob#serverId()}.
     *
     * @param serverId the value
     * @return this builder
     */
    public abstract Builder serverId(String serverId);

    /**
     * Sets {@link ServerJob#jobId()}.
     *
     * @param jobId the value
     * @return this builder
     */
    public abstract Builder jobId(String jobId);

    /**
     * Sets {@link ServerJob#jobId()}; an empty value clears it.
     *
     * @param jobId the value, or empty
     * @return this builder
     */
    public abstract Builder jobId(Optional<String> jobId);

    /**
     * Sets {@link ServerJob#errorCode()}.
     *
     * @param errorCode the value
     * @return this builder
     */
    public abstract Builder errorCode(String errorCode);

    /**
     * Sets {@link ServerJob#errorCode()}; an empty value clears it.
     *
     * @param errorCode the value, or empty
     * @return this builder
     */
    public abstract Builder errorCode(Optional<String> errorCode);

    /**
     * Sets {@link ServerJob#errorMsg()}.
     *
     * @param errorMsg the value
     * @return this builder
     */
    public abstract Builder errorMsg(String errorMsg);

    /**
     * Sets {@link ServerJob#errorMsg()}; an empty value clears it.
     *
     * @param errorMsg the value, or empty
     * @return this builder
     */
    public abstract Builder errorMsg(Optional<String> errorMsg);

    /**
     * Builds the value.
     *
     * @return the value, immutable
     */
    public abstract ServerJob build();
  }
}
