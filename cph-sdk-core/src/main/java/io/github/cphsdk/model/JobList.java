package io.github.cphsdk.model;

import java.util.List;
import java.util.Optional;
import org.immutables.value.Value;

/**
 * The jobs of one or more requests, as "list jobs" reports them (every page already read and joined).
 *
 * <pre>{@code
 * JobList list = client.listJobs(response.requestId());
 * long running = list.jobs().stream().filter(job -> !job.finished()).count();
 * System.out.println(list.jobs().size() + " jobs, " + running + " not finished");
 * }</pre>
 */
@Value.Immutable
public abstract class JobList {

  JobList() {}

  /** {@return a new builder, for tests and fakes} */
  public static Builder builder() {
    return ImmutableJobList.builder();
  }

  /**
   * {@return the request id of the (first) list-jobs answer ({@code request_id} of the body, else the
   * {@code X-Request-Id} header); empty when it carried neither}
   */
  @Value.Default
  public String requestId() {
    return "";
  }

  /** {@return the jobs, in the order the service listed them, each job id once} */
  public abstract List<Job> jobs();

  /**
   * The job with this id, if listed.
   *
   * @param jobId the job id to look for; {@code null} matches no job
   * @return the first listed job with that id; empty when none was listed
   */
  public Optional<Job> job(String jobId) {
    return jobs().stream().filter(j -> j.jobId().equals(jobId)).findFirst();
  }

  /** Builds a {@link JobList}. */
  public abstract static class Builder {
    Builder() {} // implemented by the generated builder only

    /**
     * Copies every attribute of {@code instance}; collections are added to, not replaced.
     *
     * @param instance the value to copy
     * @return this builder
     */
    public abstract Builder from(JobList instance);

    /**
     * Sets {@link JobList#requestId()}.
     *
     * @param requestId the value
     * @return this builder
     */
    public abstract Builder requestId(String requestId);

    /**
     * Adds one element to {@link JobList#jobs()}.
     *
     * @param element the element
     * @return this builder
     */
    public abstract Builder addJobs(Job element);

    /**
     * Adds elements to {@link JobList#jobs()}, in order.
     *
     * @param elements the elements
     * @return this builder
     */
    public abstract Builder addJobs(Job... elements);

    /**
     * Replaces {@link JobList#jobs()} with these elements, in order.
     *
     * @param elements the elements
     * @return this builder
     */
    public abstract Builder jobs(Iterable<? extends Job> elements);

    /**
     * Adds elements to {@link JobList#jobs()}, in order.
     *
     * @param elements the elements
     * @return this builder
     */
    public abstract Builder addAllJobs(Iterable<? extends Job> elements);

    /**
     * Builds the value.
     *
     * @return the value, immutable
     */
    public abstract JobList build();
  }
}
