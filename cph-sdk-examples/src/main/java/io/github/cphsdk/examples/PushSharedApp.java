package io.github.cphsdk.examples;

import io.github.cphsdk.CloudPhoneClient;
import io.github.cphsdk.CloudPhoneException;
import io.github.cphsdk.auth.Credentials;
import io.github.cphsdk.model.ServerJob;
import io.github.cphsdk.model.ShareAppsRequest;
import io.github.cphsdk.model.ShareAppsResponse;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;

/**
 * Pushes an app's {@code .tar} from OBS to cloud phone servers and prints one line per server.
 *
 * <pre>
 * java io.github.cphsdk.examples.PushSharedApp --region=cn-north-4 --project-id=... --token=... \
 *     --package=com.example.game --bucket=my-bucket --object=apps/game.tar --servers=id1,id2
 * </pre>
 * Every setting can come from the environment instead: CPH_REGION or CPH_ENDPOINT, CPH_PROJECT_ID,
 * CPH_AUTH_TOKEN, CPH_PACKAGE, CPH_BUCKET, CPH_OBJECT, CPH_SERVERS.
 */
public final class PushSharedApp {
  static final String USAGE = String.join("\n",
      "usage: PushSharedApp --region=REGION | --endpoint=URL  --project-id=ID  --token=IAM_TOKEN",
      "                     --package=NAME --bucket=BUCKET --object=PATH.tar --servers=ID,ID,... [--pre-install=true|false]",
      "each setting may come from the environment instead: CPH_REGION / CPH_ENDPOINT, CPH_PROJECT_ID,",
      "CPH_AUTH_TOKEN, CPH_PACKAGE, CPH_BUCKET, CPH_OBJECT, CPH_SERVERS, CPH_PRE_INSTALL");

  private PushSharedApp() {}

  public static void main(String[] args) {
    System.exit(run(args, System::getenv));
  }

  /** Runs the example; returns the exit code (0 when every server got a job). */
  static int run(String[] args, java.util.function.Function<String, String> env) {
    Settings s;
    try {
      s = new Settings(args, env);
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage() + "\n" + USAGE);
      return 2;
    }
    List<String> missing = new ArrayList<>();
    String region = s.get("region", "CPH_REGION");
    String endpoint = s.get("endpoint", "CPH_ENDPOINT");
    if (region == null && endpoint == null) {
      missing.add("--region or --endpoint (CPH_REGION / CPH_ENDPOINT)");
    }
    String projectId = require(s, "project-id", "CPH_PROJECT_ID", missing);
    String token = require(s, "token", "CPH_AUTH_TOKEN", missing);
    String packageName = require(s, "package", "CPH_PACKAGE", missing);
    String bucket = require(s, "bucket", "CPH_BUCKET", missing);
    String object = require(s, "object", "CPH_OBJECT", missing);
    List<String> servers = s.list("servers", "CPH_SERVERS");
    if (servers.isEmpty()) {
      missing.add("--servers (CPH_SERVERS)");
    }
    if (!missing.isEmpty()) {
      System.err.println("missing: " + String.join(", ", missing) + "\n" + USAGE);
      return 2;
    }
    String preInstall = s.get("pre-install", "CPH_PRE_INSTALL");

    try {
      ShareAppsRequest.Builder request = ShareAppsRequest.builder()
          .packageName(packageName)
          .bucketName(bucket)
          .objectPath(object)
          .addAllServerIds(servers);
      if (preInstall != null) {
        request.preInstallApp(Boolean.parseBoolean(preInstall));
      }
      CloudPhoneClient.Builder builder = CloudPhoneClient.builder()
          .projectId(projectId)
          .credentials(Credentials.token(token));
      if (endpoint != null) {
        builder.endpoint(URI.create(endpoint));
      } else {
        builder.region(region);
      }
      try (CloudPhoneClient client = builder.build()) {
        ShareAppsResponse response = client.shareApps(request.build());
        System.out.println("request id " + response.requestId());
        for (ServerJob job : response.jobs()) {
          System.out.println(job.accepted()
              ? job.serverId() + "  job " + job.jobId().orElse("")
              : job.serverId() + "  REJECTED " + job.errorCode().orElse("") + " " + job.errorMsg().orElse(""));
        }
        return response.allAccepted() ? 0 : 1;
      }
    } catch (IllegalArgumentException e) {
      System.err.println("invalid input: " + e.getMessage());
      return 2;
    } catch (CloudPhoneException e) {
      System.err.println("push failed: " + e.getMessage());
      if (e.mayHaveBeenApplied()) {
        System.err.println("the push may have started jobs: check them before pushing again");
      }
      return 1;
    }
  }

  private static String require(Settings s, String name, String envName, List<String> missing) {
    String v = s.get(name, envName);
    if (v == null) {
      missing.add("--" + name + " (" + envName + ")");
    }
    return v;
  }
}
