package io.github.cphsdk.model;

import java.util.Optional;
import org.immutables.value.Value;

/**
 * Where one server stands while (and after) waiting for the jobs of a push: what the push said about it
 * ({@link #push()}), the job as last listed ({@link #job()}), and the {@link #state()} that follows.
 *
 * <pre>{@code
 * for (ServerProgress s : report.servers()) {
 *   System.out.println(s.serverId() + " " + s.state() + " " + s.jobId().orElse("-") + " "
 *       + s.errorCode().orElse("") + " " + s.executeMsg().orElse(""));
 * }
 * }</pre>
 */
@Value.Immutable
public abstract class ServerProgress {

  /** Where a server stands. */
  public enum State {
    /** A job was started and has not finished, or its status is unknown (an unknown status never counts as done). */
    RUNNING,
    /** The job succeeded. */
    SUCCEEDED,
    /** The job failed: see {@link #errorCode()}, {@link #errorMsg()}, {@link #executeMsg()}. */
    FAILED,
    /**
     * No job is known for this server: the push rejected it, its batch failed, or the answer did not mention
     * it and no job of it was listed. {@link #mayHaveBeenApplied()} says whether one may exist anyway.
     */
    NOT_STARTED
  }

  ServerProgress() {}

  /** {@return a new builder, for tests and fakes} */
  public static Builder builder() {
    return ImmutableServerProgress.builder();
  }

  /** {@return what the push (or delete) said about this server} */
  public abstract ServerOutcome push();

  /** {@return where the server stands} */
  public abstract State state();

  /** {@return the server's job as the service last listed it; empty before it was first seen} */
  public abstract Optional<Job> job();

  /** {@return the server id} */
  public String serverId() {
    return push().serverId();
  }

  /** {@return the job id: from the push's answer, else from the listed job} */
  public Optional<String> jobId() {
    return or(push().jobId(), job().map(Job::jobId).filter(id -> !id.isEmpty()));
  }

  /** {@return the error code: the failed job's, else the push's rejection's} */
  public Optional<String> errorCode() {
    return or(job().flatMap(Job::errorCode), push().errorCode());
  }

  /** {@return the error message: the failed job's, else the push's rejection's} */
  public Optional<String> errorMsg() {
    return or(job().flatMap(Job::errorMsg), push().errorMsg());
  }

  /** {@return what the job's execution reported ({@code execute_msg}), when listed} */
  public Optional<String> executeMsg() {
    return job().flatMap(Job::executeMsg);
  }

  /** {@return true when a job was seen or started here, or (for {@link State#NOT_STARTED}) may have been} */
  public boolean mayHaveBeenApplied() {
    return state() != State.NOT_STARTED || job().isPresent() || push().mayHaveBeenApplied();
  }

  @Value.Check
  void check() {
    if (state() != State.NOT_STARTED && push().result() != ServerOutcome.Result.ACCEPTED && !job().isPresent()) {
      throw new IllegalArgumentException("state " + state() + " needs an accepted push or a listed job");
    }
  }

  /** Builds a {@link ServerProgress}. */
  public abstract static class Builder {
    Builder() {} // implemented by the generated builder only

    /**
     * Copies every attribute of {@code instance}; collections are added to, not replaced.
     *
     * @param instance the value to copy
     * @return this builder
     */
    public abstract Builder from(ServerProgress instance);

    /**
     * Sets {@link ServerProgress#push()}.
     *
     * @param push the value
     * @return this builder
     */
    public abstract Builder push(ServerOutcome push);

    /**
     * Sets {@link ServerProgress#state()}.
     *
     * @param state the value
     * @return this builder
     */
    public abstract Builder state(State state);

    /**
     * Sets {@link ServerProgress#job()}.
     *
     * @param job the value
     * @return this builder
     */
    public abstract Builder job(Job job);

    /**
     * Sets {@link ServerProgress#job()}; an empty value clears it.
     *
     * @param job the value, or empty
     * @return this builder
     */
    public abstract Builder job(Optional<? extends Job> job);

    /**
     * Builds the value.
     *
     * @return the value, immutable
     */
    public abstract ServerProgress build();
  }

  /** {@code first.or(() -> second)}: {@code Optional.or} is not on Android API level 26. */
  private static <T> Optional<T> or(Optional<T> first, Optional<T> second) {
    return first.isPresent() ? first : second;
  }
}
