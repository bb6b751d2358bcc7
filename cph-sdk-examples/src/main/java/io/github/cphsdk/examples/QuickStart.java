package io.github.cphsdk.examples;

import io.github.cphsdk.CloudPhoneClient;
import io.github.cphsdk.auth.Credentials;
import io.github.cphsdk.model.ServerJob;
import io.github.cphsdk.model.ShareAppsRequest;
import io.github.cphsdk.model.ShareAppsResponse;

/**
 * The README's quick start, verbatim (a test compares the two): push one app to two servers with an IAM
 * token from {@code CPH_AUTH_TOKEN}.
 */
public final class QuickStart {
  private QuickStart() {}

  public static void main(String[] args) {
    // README:start
    CloudPhoneClient client = CloudPhoneClient.builder()
        .region("cn-north-4")                          // → https://cph.cn-north-4.myhuaweicloud.com
        // .endpoint(URI.create("http://127.0.0.1:8080"))   // any endpoint; wins over region
        .projectId("0123456789abcdef0123456789abcdef")
        .credentials(Credentials.token(System.getenv("CPH_AUTH_TOKEN")))   // X-Auth-Token
        .build();

    ShareAppsRequest request = ShareAppsRequest.builder()
        .packageName("com.miniteck.miniworld")
        .bucketName("bucket")
        .objectPath("my_apps/test.tar")
        .preInstallApp(true)                           // optional; sent as 1/0, omitted when not set
        .addServerIds("1234567b8bab40ffb711234cb80d0234", "1678567b8bab40f93711234cb80d0764")
        .build();                                      // invalid input: IllegalArgumentException naming field and rule

    ShareAppsResponse response = client.shareApps(request);
    for (ServerJob job : response.jobs()) {
        System.out.println(job.accepted()
            ? job.serverId() + "  job " + job.jobId().orElse("")
            : job.serverId() + "  REJECTED " + job.errorCode().orElse("") + " " + job.errorMsg().orElse(""));
    }
    client.close();
    // README:end
  }
}
