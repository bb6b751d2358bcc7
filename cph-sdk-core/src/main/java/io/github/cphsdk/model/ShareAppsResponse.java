package io.github.cphsdk.model;

import java.util.Collections;
import java.util.List;
import java.util.stream.Collectors;
import org.immutables.value.Value;

/**
 * The answer to a push: the request id and one {@link ServerJob} per server. A {@code 200} answer may
 * still reject some servers; {@link #rejected()} lists them.
 *
 * <pre>{@code
 * ShareAppsResponse response = client.shareApps(request);
 * System.out.println("request " + response.requestId() + ": " + response.accepted().size() + " jobs started");
 * response.rejected().forEach(job -> System.out.println(job.serverId() + ": " + job.errorMsg().orElse("")));
 * }</pre>
 */
@Value.Immutable
public abstract class ShareAppsResponse {

  ShareAppsResponse() {}

  /** {@return a new builder, for tests and fakes} */
  public static Builder builder() {
    return ImmutableShareAppsResponse.builder();
  }

  /**
   * {@return the request id ({@code request_id} of the body, else the {@code X-Request-Id} header); empty when
   * the answer carried neither} Use it to list the jobs of this push.
   */
  @Value.Default
  public String requestId() {
    return "";
  }

  /**
   * {@return where {@link #requestId()} came from: {@link RequestIdSource#BODY} (the answer's {@code request_id}, the
   * id the service lists the push's jobs under), {@link RequestIdSource#HEADER} (the body had none: the
   * {@code X-Request-Id} header, which a gateway may have set; listing jobs by it may find none) or
   * {@link RequestIdSource#NONE} (no request id at all)}
   */
  @Value.Default
  public RequestIdSource requestIdSource() {
    return requestId().isEmpty() ? RequestIdSource.NONE : RequestIdSource.BODY;
  }

  /** Where a response's {@link #requestId()} came from. */
  public enum RequestIdSource {
    /** The body's {@code request_id}: the id the push's jobs are listed under. */
    BODY,
    /**
     * The {@code X-Request-Id} response header, because the body had no {@code request_id}: it may be the
     * gateway's id rather than the push's, so {@code waitForJobs} and {@code listJobs} may find no jobs by it.
     */
    HEADER,
    /** Neither the body nor the headers carried a request id: {@link #requestId()} is empty. */
    NONE
  }

  /** {@return one entry per server, in the order the service listed them; empty when it listed none} */
  public abstract List<ServerJob> jobs();

  /** {@return the servers on which a job was started (worked out on first use)} */
  @Value.Lazy
  public List<ServerJob> accepted() {
    return Collections.unmodifiableList(jobs().stream().filter(ServerJob::accepted).collect(Collectors.toList()));
  }

  /** {@return the servers the service rejected (an error code or message, or no job id; worked out on first use)} */
  @Value.Lazy
  public List<ServerJob> rejected() {
    return Collections.unmodifiableList(jobs().stream().filter(j -> !j.accepted()).collect(Collectors.toList()));
  }

  /** {@return true when every listed server got a job} */
  public boolean allAccepted() {
    return rejected().isEmpty();
  }

  /** Builds a {@link ShareAppsResponse}. */
  public abstract static class Builder {
    Builder() {} // implemented by the generated builder only

    /**
     * Copies every attribute of {@code instance}; collections are added to, not replaced.
     *
     * @param instance the value to copy
     * @return this builder
     */
    public abstract Builder from(ShareAppsResponse instance);

    /**
     * Sets {@link ShareAppsResponse#requestId()}.
     *
     * @param requestId the value
     * @return this builder
     */
    public abstract Builder requestId(String requestId);

    /**
     * Sets {@link ShareAppsResponse#requestIdSource()}.
     *
     * @param requestIdSource the value
     * @return this builder
     */
    public abstract Builder requestIdSource(RequestIdSource requestIdSource);

    /**
     * Adds one element to {@link ShareAppsResponse#jobs()}.
     *
     * @param element the element
     * @return this builder
     */
    public abstract Builder addJobs(ServerJob element);

    /**
     * Adds elements to {@link ShareAppsResponse#jobs()}, in order.
     *
     * @param elements the elements
     * @return this builder
     */
    public abstract Builder addJobs(ServerJob... elements);

    /**
     * Replaces {@link ShareAppsResponse#jobs()} with these elements, in order.
     *
     * @param elements the elements
     * @return this builder
     */
    public abstract Builder jobs(Iterable<? extends ServerJob> elements);

    /**
     * Adds elements to {@link ShareAppsResponse#jobs()}, in order.
     *
     * @param elements the elements
     * @return this builder
     */
    public abstract Builder addAllJobs(Iterable<? extends ServerJob> elements);

    /**
     * Builds the value.
     *
     * @return the value, immutable
     */
    public abstract ShareAppsResponse build();
  }
}
