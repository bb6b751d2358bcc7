package io.github.cphsdk.model;

import java.util.List;
import java.util.Optional;
import org.immutables.value.Value;

/**
 * The body of "push shared applications": which package, from which OBS bucket and object, to which cloud
 * phone servers. Validated when built: an invalid value fails {@link Builder#build()} with an
 * {@link IllegalArgumentException} that names the JSON field, the rule and the value.
 *
 * <pre>{@code
 * ShareAppsRequest request = ShareAppsRequest.builder()
 *     .packageName("com.miniteck.miniworld")
 *     .bucketName("bucket")
 *     .objectPath("my_apps/test.tar")
 *     .preInstallApp(true)                 // optional; sent as 1/0, omitted when not set
 *     .addServerIds("1234567b8bab40ffb711234cb80d0234", "1678567b8bab40f93711234cb80d0764")
 *     .build();
 * }</pre>
 *
 * <p>Rules: {@code package_name} at most 128 characters of letters, digits, {@code _} and {@code .}, at least
 * two segments, each starting with a letter; {@code bucket_name} an OBS bucket name (3 to 63 lowercase
 * letters, digits, {@code -} and {@code .}, starting and ending with a letter or digit, no {@code ..},
 * {@code .-} or {@code -.}, not shaped like an IP address); {@code object_path} at most 1024 characters of
 * {@code A-Z a-z 0-9 . / - _ + # =} ending in {@code .tar}; {@code server_ids} at least one, each a server id of
 * exactly 32 ASCII letters or digits, no duplicates. How many servers one HTTP request may carry
 * is the client's setting, not the request's.
 */
@Value.Immutable
public abstract class ShareAppsRequest {

  ShareAppsRequest() {}

  /** {@return a new builder} */
  public static Builder builder() {
    return ImmutableShareAppsRequest.builder();
  }

  /** {@return the Android package name of the app, e.g. {@code com.miniteck.miniworld} ({@code package_name})} */
  public abstract String packageName();

  /**
   * Whether to pre-install the app ({@code pre_install_app}: {@code 1} it survives phone restart and reset,
   * {@code 0} it does not). Empty: the field is not sent and the service's default ({@code 0}) applies.
   *
   * @return {@code true} to send {@code 1}, {@code false} to send {@code 0}, empty to omit the field
   */
  public abstract Optional<Boolean> preInstallApp();

  /** {@return the OBS bucket that holds the {@code .tar} ({@code bucket_name})} */
  public abstract String bucketName();

  /** {@return the OBS object key of the {@code .tar} ({@code object_path})} */
  public abstract String objectPath();

  /** {@return the cloud phone server ids to push to, in order, without duplicates ({@code server_ids})} */
  public abstract List<String> serverIds();

  @Value.Check
  void check() {
    FieldRules.allRequired(new String[] {"package_name", "bucket_name", "object_path", "server_ids"},
        packageName(), bucketName(), objectPath(), serverIds().isEmpty() ? null : serverIds());
    FieldRules.packageName("package_name", packageName());
    FieldRules.bucketName("bucket_name", bucketName());
    FieldRules.objectPath("object_path", objectPath());
    FieldRules.serverIds("server_ids", serverIds());
  }

  /**
   * Builds a {@link ShareAppsRequest}. The setters only record values; {@link #build()} checks every field
   * against its rule and names the JSON field, the rule and the value when one is broken.
   */
  public abstract static class Builder {
    Builder() {} // implemented by the generated builder only

    /**
     * Copies every field of {@code request}; server ids are added to those already given.
     *
     * @param request a built (so valid) request
     * @return this builder
     */
    public abstract Builder from(ShareAppsRequest request);

    /**
     * The Android package name ({@code package_name}, required). Rule, checked by {@link #build()}: at most
     * 128 characters of ASCII letters, digits, {@code _} and {@code .}; at least two segments separated by
     * {@code .}, each starting with a letter; no trailing {@code .}. Example: {@code com.miniteck.miniworld}.
     *
     * @param packageName the package name
     * @return this builder
     */
    public abstract Builder packageName(String packageName);

    /**
     * Whether to pre-install the app ({@code pre_install_app}, optional): {@code true} is sent as {@code 1}
     * (the app survives a phone restart or reset), {@code false} as {@code 0}. Not called: the field is not
     * sent and the service's default ({@code 0}) applies.
     *
     * @param preInstallApp the choice
     * @return this builder
     */
    public abstract Builder preInstallApp(boolean preInstallApp);

    /**
     * {@link #preInstallApp(boolean)}, or back to "not sent" with an empty value.
     *
     * @param preInstallApp the choice, or empty to omit the field
     * @return this builder
     */
    public abstract Builder preInstallApp(Optional<Boolean> preInstallApp);

    /**
     * The OBS bucket holding the {@code .tar} ({@code bucket_name}, required). Rule, checked by {@link #build()}:
     * an OBS bucket name, 3 to 63 characters of lowercase letters, digits, {@code -} and {@code .}, starting and
     * ending with a letter or digit, without {@code ..}, {@code .-} or {@code -.}, not shaped like an IP
     * address.
     *
     * @param bucketName the bucket
     * @return this builder
     */
    public abstract Builder bucketName(String bucketName);

    /**
     * The OBS object key of the {@code .tar} ({@code object_path}, required). Rule, checked by
     * {@link #build()}: at most 1024 characters of {@code A-Z a-z 0-9 . / - _ + # =}, naming a {@code .tar}
     * file (only {@code .tar} files can be pushed). Example: {@code my_apps/test.tar}.
     *
     * @param objectPath the object key
     * @return this builder
     */
    public abstract Builder objectPath(String objectPath);

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
     * Adds server ids in order; the rule of {@link #addServerIds(String)} applies to each. Any number may be
     * given: one HTTP request carries at most the client's {@code maxServersPerRequest} (use
     * {@code shareAppsInBatches} for more).
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
     * @throws IllegalArgumentException naming the JSON field, the rule and the value, e.g.
     *     {@code server_ids[0] must be a server id: 32 letters or digits (got 9 characters), got "not-an-id"}
     */
    public abstract ShareAppsRequest build();
  }
}
