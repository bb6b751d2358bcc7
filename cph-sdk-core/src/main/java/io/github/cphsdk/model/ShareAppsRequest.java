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
    return new Builder();
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
    FieldRules.packageName("package_name", packageName());
    FieldRules.bucketName("bucket_name", bucketName());
    FieldRules.objectPath("object_path", objectPath());
    FieldRules.serverIds("server_ids", serverIds());
  }

  /** Builds a {@link ShareAppsRequest}; {@link #build()} validates every field. */
  public static final class Builder extends ImmutableShareAppsRequest.Builder {
    Builder() {}
  }
}
