package io.github.cphsdk.model;

import java.util.List;
import org.immutables.value.Value;

/**
 * The body of "delete shared applications": which package to remove from the shared-application storage of
 * which cloud phone servers. The service refuses unless the app was first uninstalled from every phone of
 * the server. Validated when built, with the same rules as {@link ShareAppsRequest}: an invalid value fails
 * {@link Builder#build()} with an {@link IllegalArgumentException} naming the JSON field, the rule and the value.
 *
 * <pre>{@code
 * DeleteShareAppsRequest request = DeleteShareAppsRequest.builder()
 *     .packageName("com.miniteck.miniworld")
 *     .addServerIds("1234567b8bab40ffb711234cb80d0234", "1678567b8bab40f93711234cb80d0764")
 *     .build();
 * ShareAppsResponse response = client.deleteShareApps(request);   // one job per server, like a push
 * }</pre>
 */
@Value.Immutable
public abstract class DeleteShareAppsRequest {

  DeleteShareAppsRequest() {}

  /** {@return a new builder} */
  public static Builder builder() {
    return ImmutableDeleteShareAppsRequest.builder();
  }

  /** {@return the Android package name of the app to delete ({@code package_name})} */
  public abstract String packageName();

  /** {@return the cloud phone server ids, in order, without duplicates ({@code server_ids})} */
  public abstract List<String> serverIds();

  @Value.Check
  void check() {
    FieldRules.allRequired(new String[] {"package_name", "server_ids"}, packageName(),
        serverIds().isEmpty() ? null : serverIds());
    FieldRules.packageName("package_name", packageName());
    FieldRules.serverIds("server_ids", serverIds());
  }

  /**
   * Builds a {@link DeleteShareAppsRequest}. The setters only record values; {@link #build()} checks every
   * field against its rule (those of {@link ShareAppsRequest.Builder}) and names the JSON field, the rule and
   * the value when one is broken.
   */
  public abstract static class Builder {
    Builder() {} // implemented by the generated builder only

    /**
     * Copies every field of {@code request}; server ids are added to those already given.
     *
     * @param request a built (so valid) request
     * @return this builder
     */
    public abstract Builder from(DeleteShareAppsRequest request);

    /**
     * The Android package name of the app to delete ({@code package_name}, required). Rule, checked by
     * {@link #build()}: at most 128 characters of ASCII letters, digits, {@code _} and {@code .}; at least two
     * segments separated by {@code .}, each starting with a letter; no trailing {@code .}.
     *
     * @param packageName the package name
     * @return this builder
     */
    public abstract Builder packageName(String packageName);

    /**
     * Adds one server id ({@code server_ids}, at least one required). Rule, checked by {@link #build()}: a
     * cloud phone server id, exactly 32 ASCII letters or digits, not given twice.
     *
     * @param serverId the server id
     * @return this builder
     */
    public abstract Builder addServerIds(String serverId);

    /**
     * Adds server ids in order; the rule of {@link #addServerIds(String)} applies to each.
     *
     * @param serverIds the server ids
     * @return this builder
     */
    public abstract Builder addServerIds(String... serverIds);

    /**
     * Adds server ids in order; the rule of {@link #addServerIds(String)} applies to each. One HTTP request
     * carries at most the client's {@code maxServersPerRequest} (use {@code deleteShareAppsInBatches} for more).
     *
     * @param serverIds the server ids
     * @return this builder
     */
    public abstract Builder addAllServerIds(Iterable<String> serverIds);

    /**
     * Replaces the server ids given so far; the rule of {@link #addServerIds(String)} applies to each.
     *
     * @param serverIds the server ids
     * @return this builder
     */
    public abstract Builder serverIds(Iterable<String> serverIds);

    /**
     * Checks every field and builds the request. Every missing required field is named at once.
     *
     * @return the request, immutable
     * @throws IllegalArgumentException naming the JSON field, the rule and the value
     */
    public abstract DeleteShareAppsRequest build();
  }
}
