package io.github.cphsdk.model;

import io.github.cphsdk.CloudPhoneException;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import org.immutables.value.Value;

/**
 * Where every server of a push stands after waiting for its jobs ({@code CloudPhoneClient.waitForJobs}), or
 * during the wait (the snapshots a {@code JobListener} receives): which jobs succeeded, failed or are still
 * running, and which servers never got one.
 *
 * <pre>{@code
 * JobReport report = client.waitForJobs(response, WaitOptions.builder().timeout(Duration.ofMinutes(30)).build());
 * if (!report.allSucceeded()) {
 *   report.failed().forEach(s -> System.out.println(s.serverId() + ": " + s.errorMsg().orElse("")));
 *   report.running().forEach(s -> System.out.println(s.serverId() + ": still running"));
 * }
 * }</pre>
 */
@Value.Immutable
public abstract class JobReport {

  JobReport() {}

  /** {@return a new builder, for tests and fakes} */
  public static Builder builder() {
    return ImmutableJobReport.builder();
  }

  /** {@return every server of the push, in the push's order} */
  public abstract List<ServerProgress> servers();

  /** {@return true when the wait ended because its timeout passed while jobs were still running} */
  @Value.Default
  public boolean timedOut() {
    return false;
  }

  /** {@return how many times the jobs were listed (each poll may read several pages and request-id groups)} */
  @Value.Default
  public int polls() {
    return 0;
  }

  /** {@return how many of those polls failed (after the client's own retries) and were tried again later} */
  @Value.Default
  public int failedPolls() {
    return 0;
  }

  /** {@return the most recent failed poll's exception, if any poll failed} */
  public abstract Optional<CloudPhoneException> lastPollFailure();

  /** {@return how long the wait took (on the client's clock)} */
  @Value.Default
  public Duration elapsed() {
    return Duration.ZERO;
  }

  /** {@return servers whose job is still running (or reports an unknown status)} */
  public List<ServerProgress> running() {
    return in(ServerProgress.State.RUNNING);
  }

  /** {@return servers whose job succeeded} */
  public List<ServerProgress> succeeded() {
    return in(ServerProgress.State.SUCCEEDED);
  }

  /** {@return servers whose job failed} */
  public List<ServerProgress> failed() {
    return in(ServerProgress.State.FAILED);
  }

  /** {@return servers without a known job (rejected, failed batch, not confirmed)} */
  public List<ServerProgress> notStarted() {
    return in(ServerProgress.State.NOT_STARTED);
  }

  /** {@return true when no job is running any more} */
  public boolean finished() {
    return servers().stream().noneMatch(s -> s.state() == ServerProgress.State.RUNNING);
  }

  /** {@return true when every server's job succeeded} */
  public boolean allSucceeded() {
    return servers().stream().allMatch(s -> s.state() == ServerProgress.State.SUCCEEDED);
  }

  private List<ServerProgress> in(ServerProgress.State state) {
    return Collections.unmodifiableList(
        servers().stream().filter(s -> s.state() == state).collect(Collectors.toList()));
  }

  /** Builds a {@link JobReport}. */
  public abstract static class Builder {
    Builder() {} // implemented by the generated builder only

    /**
     * Copies every attribute of {@code instance}; collections are added to, not replaced.
     *
     * @param instance the value to copy
     * @return this builder
     */
    public abstract Builder from(JobReport instance);

    /**
     * Adds one element to {@link JobReport#servers()}.
     *
     * @param element the element
     * @return this builder
     */
    public abstract Builder addServers(ServerProgress element);

    /**
     * Adds elements to {@link JobReport#servers()}, in order.
     *
     * @param elements the elements
     * @return this builder
     */
    public abstract Builder addServers(ServerProgress... elements);

    /**
     * Replaces {@link JobReport#servers()} with these elements, in order.
     *
     * @param elements the elements
     * @return this builder
     */
    public abstract Builder servers(Iterable<? extends ServerProgress> elements);

    /**
     * Adds elements to {@link JobReport#servers()}, in order.
     *
     * @param elements the elements
     * @return this builder
     */
    public abstract Builder addAllServers(Iterable<? extends ServerProgress> elements);

    /**
     * Sets {@link JobReport#timedOut()}.
     *
     * @param timedOut the value
     * @return this builder
     */
    public abstract Builder timedOut(boolean timedOut);

    /**
     * Sets {@link JobReport#polls()}.
     *
     * @param polls the value
     * @return this builder
     */
    public abstract Builder polls(int polls);

    /**
     * Sets {@link JobReport#failedPolls()}.
     *
     * @param failedPolls the value
     * @return this builder
     */
    public abstract Builder failedPolls(int failedPolls);

    /**
     * Sets {@link JobReport#lastPollFailure()}.
     *
     * @param lastPollFailure the value
     * @return this builder
     */
    public abstract Builder lastPollFailure(CloudPhoneException lastPollFailure);

    /**
     * Sets {@link JobReport#lastPollFailure()}; an empty value clears it.
     *
     * @param lastPollFailure the value, or empty
     * @return this builder
     */
    public abstract Builder lastPollFailure(Optional<? extends CloudPhoneException> lastPollFailure);

    /**
     * Sets {@link JobReport#elapsed()}.
     *
     * @param elapsed the value
     * @return this builder
     */
    public abstract Builder elapsed(Duration elapsed);

    /**
     * Builds the value.
     *
     * @return the value, immutable
     */
    public abstract JobReport build();
  }
}
