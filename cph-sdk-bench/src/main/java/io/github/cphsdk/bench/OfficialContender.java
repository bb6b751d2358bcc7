package io.github.cphsdk.bench;

import com.huaweicloud.sdk.core.auth.BasicCredentials;
import com.huaweicloud.sdk.core.http.HttpConfig;
import com.huaweicloud.sdk.cph.v1.CphAsyncClient;
import com.huaweicloud.sdk.cph.v1.CphClient;
import com.huaweicloud.sdk.cph.v1.model.PushShareAppsRequest;
import com.huaweicloud.sdk.cph.v1.model.PushShareAppsRequestBody;
import com.huaweicloud.sdk.cph.v1.model.PushShareAppsResponse;
import java.util.concurrent.CompletableFuture;

/** The official {@code huaweicloud-sdk-cph} 3.1.143 (OkHttp, AK/SK), default HTTP settings. */
public final class OfficialContender implements Contender {
  private final CphClient client;
  private final CphAsyncClient asyncClient;

  private OfficialContender(int port, boolean withAsync) {
    this("http://127.0.0.1:" + port, withAsync);
  }

  private OfficialContender(String endpoint, boolean withAsync) {
    this.client = CphClient.newBuilder()
        .withCredential(credentials())
        .withHttpConfig(HttpConfig.getDefaultHttpConfig())
        .withEndpoint(endpoint)
        .build();
    this.asyncClient = withAsync
        ? CphAsyncClient.newBuilder()
            .withCredential(credentials())
            .withHttpConfig(HttpConfig.getDefaultHttpConfig())
            .withEndpoint(endpoint)
            .build()
        : null;
  }

  /** Sync and async clients (the harness). */
  public static Contender create(int port) {
    return new OfficialContender(port, true);
  }

  /** Sync and async clients against {@code endpoint} (e.g. {@code https://127.0.0.1:8443}). */
  public static Contender create(String endpoint) {
    return new OfficialContender(endpoint, true);
  }

  /** Only the sync client (cold start: one call, as a CLI would make it). */
  public static Contender syncOnly(int port) {
    return new OfficialContender(port, false);
  }

  private static BasicCredentials credentials() {
    return new BasicCredentials().withAk(Fixtures.AK).withSk(Fixtures.SK).withProjectId(Fixtures.PROJECT_ID);
  }

  /** The request a user builds for each push. */
  static PushShareAppsRequest request(int servers) {
    return new PushShareAppsRequest().withBody(new PushShareAppsRequestBody()
        .withPackageName(Fixtures.PACKAGE_NAME)
        .withBucketName(Fixtures.BUCKET)
        .withObjectPath(Fixtures.OBJECT_PATH)
        .withPreInstallApp(1)
        .withServerIds(Fixtures.serverIds(servers)));
  }

  @Override
  public String name() {
    return "official SDK";
  }

  @Override
  public void call(int servers) {
    PushShareAppsResponse r = client.pushShareApps(request(servers));
    Contender.expect("status", 200, r.getHttpStatusCode());
    Contender.expect("jobs", servers, r.getJobs().size());
  }

  @Override
  public CompletableFuture<?> callAsync(int servers) {
    return asyncClient.pushShareAppsAsync(request(servers)).thenAccept(r -> {
      Contender.expect("status", 200, r.getHttpStatusCode());
      Contender.expect("jobs", servers, r.getJobs().size());
    });
  }

  @Override
  public void close() {
    // The official clients have no close(); their OkHttp threads are daemon.
  }
}
