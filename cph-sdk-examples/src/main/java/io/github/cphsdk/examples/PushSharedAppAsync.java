package io.github.cphsdk.examples;

import io.github.cphsdk.CloudPhoneClient;
import io.github.cphsdk.CloudPhoneException;
import io.github.cphsdk.auth.Credentials;
import io.github.cphsdk.model.ShareAppsRequest;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;

/**
 * The asynchronous push: the call returns a {@code CompletableFuture} at once; the answer is handled in a
 * callback. Same settings as {@link PushSharedApp}.
 */
public final class PushSharedAppAsync {
  private PushSharedAppAsync() {}

  public static void main(String[] args) {
    System.exit(run(args, System::getenv));
  }

  static int run(String[] args, java.util.function.Function<String, String> env) {
    Settings s;
    if (args.length == 1 && ("--help".equals(args[0]) || "-h".equals(args[0]))) {
      System.out.println(usage());
      return 0;
    }
    try {
      s = new Settings(args, env);
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage() + "\n" + usage());
      return 2;
    }
    String region = s.get("region", "CPH_REGION");
    String endpoint = s.get("endpoint", "CPH_ENDPOINT");
    String projectId = s.get("project-id", "CPH_PROJECT_ID");
    projectId = projectId != null ? projectId : s.get("project-id", "HUAWEICLOUD_SDK_PROJECT_ID");
    List<String> servers = s.list("servers", "CPH_SERVERS");
    List<String> missing = new ArrayList<>();
    if (region == null && endpoint == null) {
      missing.add("--region or --endpoint (CPH_REGION / CPH_ENDPOINT)");
    }
    if (projectId == null) {
      missing.add("--project-id (CPH_PROJECT_ID)");
    }
    Credentials credentials = PushSharedApp.credentials(s, missing);
    if (servers.isEmpty()) {
      missing.add("--servers (CPH_SERVERS)");
    }
    for (String[] f : new String[][] {{"package", "CPH_PACKAGE"}, {"bucket", "CPH_BUCKET"}, {"object", "CPH_OBJECT"}}) {
      if (s.get(f[0], f[1]) == null) {
        missing.add("--" + f[0] + " (" + f[1] + ")");
      }
    }
    if (!missing.isEmpty()) {
      System.err.println("missing: " + String.join(", ", missing) + "\n"
          + usage());
      return 2;
    }
    try {
      ShareAppsRequest request = ShareAppsRequest.builder()
          .packageName(s.get("package", "CPH_PACKAGE"))
          .bucketName(s.get("bucket", "CPH_BUCKET"))
          .objectPath(s.get("object", "CPH_OBJECT"))
          .addAllServerIds(servers)
          .build();
      CloudPhoneClient.Builder builder = CloudPhoneClient.builder().projectId(projectId)
          .credentials(credentials);
      if (endpoint != null) {
        builder.endpoint(URI.create(endpoint));
      } else {
        builder.region(region);
      }
      try (CloudPhoneClient client = builder.build()) {
        return client.shareAppsAsync(request)
            .thenApply(response -> {
              int started = response.accepted().size();
              int rejected = response.rejected().size();
              System.out.println("request id " + response.requestId() + ": " + started + " job"
                  + (started == 1 ? "" : "s") + " started, " + rejected + " server" + (rejected == 1 ? "" : "s")
                  + " rejected");
              response.rejected().forEach(job -> System.out.println("  " + job.serverId() + " "
                  + job.errorCode().orElse("") + " " + job.errorMsg().orElse("")));
              return response.allAccepted() ? 0 : 1;
            })
            .exceptionally(error -> {
              Throwable cause = error instanceof CompletionException ? error.getCause() : error;
              System.err.println("push failed: " + cause.getMessage());
              if (cause instanceof CloudPhoneException && ((CloudPhoneException) cause).mayHaveBeenApplied()) {
                System.err.println("the push may have started jobs: check them before pushing again");
              }
              return 1;
            })
            .join();
      }
    } catch (IllegalArgumentException e) {
      System.err.println("invalid input: " + e.getMessage());
      return 2;
    }
  }

  /** The usage of {@link PushSharedApp} without its demo (this program always needs settings). */
  static String usage() {
    return PushSharedApp.USAGE.replace("PushSharedApp                       (no settings: demo against an embedded "
        + "emulator)\n       PushSharedApp ", "PushSharedApp ").replace("PushSharedApp", "PushSharedAppAsync");
  }
}
