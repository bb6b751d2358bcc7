package io.github.cphsdk.model;

import io.github.cphsdk.CloudPhoneException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.immutables.value.Value;

/**
 * The outcome of a push or delete split into batches ({@code CloudPhoneClient.shareAppsInBatches},
 * {@code deleteShareAppsInBatches}): one {@link ServerOutcome} for every server id of the request, in the
 * request's order, each exactly once, whatever happened to its batch.
 *
 * <pre>{@code
 * BatchOutcome outcome = client.shareAppsInBatches(request);     // 50 servers: 3 requests of at most 20
 * System.out.println(outcome.accepted().size() + " jobs started, " + outcome.rejected().size() + " rejected, "
 *     + outcome.failed().size() + " in failed batches");
 * JobReport report = client.waitForJobs(outcome, WaitOptions.defaults());
 * }</pre>
 */
@Value.Immutable
public abstract class BatchOutcome {

  BatchOutcome() {}

  /** {@return a new builder, for tests and fakes} */
  public static Builder builder() {
    return ImmutableBatchOutcome.builder();
  }

  /** {@return one entry per server id of the request, in the request's order} */
  public abstract List<ServerOutcome> servers();

  /** {@return how many batches (HTTP requests) the servers were split into, sent or not} */
  @Value.Default
  public int batchCount() {
    return 1;
  }

  /** {@return the servers on which a job was started} */
  public List<ServerOutcome> accepted() {
    return with(ServerOutcome.Result.ACCEPTED);
  }

  /** {@return the servers the service refused in its answer} */
  public List<ServerOutcome> rejected() {
    return with(ServerOutcome.Result.REJECTED);
  }

  /** {@return the servers whose batch failed as a whole} */
  public List<ServerOutcome> failed() {
    return with(ServerOutcome.Result.BATCH_FAILED);
  }

  /** {@return the servers of accepted batches that the answer did not mention} */
  public List<ServerOutcome> notConfirmed() {
    return with(ServerOutcome.Result.NOT_CONFIRMED);
  }

  /** {@return true when every server got a job} */
  public boolean allAccepted() {
    return servers().stream().allMatch(s -> s.result() == ServerOutcome.Result.ACCEPTED);
  }

  /** {@return the request ids of the answered batches, in batch order} */
  public List<String> requestIds() {
    Set<String> ids = new LinkedHashSet<>();
    servers().forEach(s -> s.requestId().ifPresent(ids::add));
    return List.copyOf(ids);
  }

  /** {@return each failed batch's exception once, in batch order} */
  public List<CloudPhoneException> failures() {
    Map<CloudPhoneException, Boolean> seen = new IdentityHashMap<>();
    List<CloudPhoneException> out = new ArrayList<>();
    for (ServerOutcome s : servers()) {
      s.failure().filter(f -> seen.put(f, Boolean.TRUE) == null).ifPresent(out::add);
    }
    return out;
  }

  private List<ServerOutcome> with(ServerOutcome.Result result) {
    return Collections.unmodifiableList(
        servers().stream().filter(s -> s.result() == result).collect(Collectors.toList()));
  }

  @Value.Check
  void check() {
    if (batchCount() < 0) {
      throw new IllegalArgumentException("batchCount must be >= 0, got " + batchCount());
    }
  }

  /** Builds a {@link BatchOutcome}. */
  public abstract static class Builder {
    Builder() {} // implemented by the generated builder only

    /**
     * Copies every attribute of {@code instance}; collections are added to, not replaced.
     *
     * @param instance the value to copy
     * @return this builder
     */
    public abstract Builder from(BatchOutcome instance);

    /**
     * Adds one element to {@link BatchOutcome#servers()}.
     *
     * @param element the element
     * @return this builder
     */
    public abstract Builder addServers(ServerOutcome element);

    /**
     * Adds elements to {@link BatchOutcome#servers()}, in order.
     *
     * @param elements the elements
     * @return this builder
     */
    public abstract Builder addServers(ServerOutcome... elements);

    /**
     * Replaces {@link BatchOutcome#servers()} with these elements, in order.
     *
     * @param elements the elements
     * @return this builder
     */
    public abstract Builder servers(Iterable<? extends ServerOutcome> elements);

    /**
     * Adds elements to {@link BatchOutcome#servers()}, in order.
     *
     * @param elements the elements
     * @return this builder
     */
    public abstract Builder addAllServers(Iterable<? extends ServerOutcome> elements);

    /**
     * Sets {@link BatchOutcome#batchCount()}.
     *
     * @param batchCount the value
     * @return this builder
     */
    public abstract Builder batchCount(int batchCount);

    /**
     * Builds the value.
     *
     * @return the value, immutable
     */
    public abstract BatchOutcome build();
  }
}
