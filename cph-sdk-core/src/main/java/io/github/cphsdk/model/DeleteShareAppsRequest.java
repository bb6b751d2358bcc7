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
    return new Builder();
  }

  /** {@return the Android package name of the app to delete ({@code package_name})} */
  public abstract String packageName();

  /** {@return the cloud phone server ids, in order, without duplicates ({@code server_ids})} */
  public abstract List<String> serverIds();

  @Value.Check
  void check() {
    FieldRules.packageName("package_name", packageName());
    FieldRules.serverIds("server_ids", serverIds());
  }

  /** Builds a {@link DeleteShareAppsRequest}; {@link #build()} validates every field. */
  public static final class Builder extends ImmutableDeleteShareAppsRequest.Builder {
    Builder() {}
  }
}
