package io.github.cphsdk.bench;

import io.github.cphsdk.CloudPhoneClient;
import io.github.cphsdk.auth.Credentials;
import io.github.cphsdk.http.HttpRequest;
import io.github.cphsdk.http.HttpResponse;
import io.github.cphsdk.http.HttpTransport;
import io.github.cphsdk.model.ShareAppsRequest;
import io.github.cphsdk.model.ShareAppsResponse;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/** Our {@link CloudPhoneClient} with its default transport, as a user would build it. */
public final class OursContender implements Contender {
  private final String name;
  private final CloudPhoneClient client;

  private OursContender(String name, CloudPhoneClient client) {
    this.name = name;
    this.client = client;
  }

  /** Token auth ({@code X-Auth-Token}). */
  public static Contender token(int port) {
    return new OursContender("ours (token)", builder(port).credentials(Credentials.token(Fixtures.TOKEN)).build());
  }

  /** AK/SK signing ({@code SDK-HMAC-SHA256}), as the official SDK does. */
  public static Contender akSk(int port) {
    return new OursContender("ours (AK/SK)", builder(port).credentials(akSkCredentials()).build());
  }

  /** AK/SK signing over {@link io.github.cphsdk.http.UrlConnectionTransport} (exploration only). */
  public static Contender akSkUrlConnection(int port) {
    return new OursContender("ours (AK/SK, HttpURLConnection)", builder(port).credentials(akSkCredentials())
        .transport(new io.github.cphsdk.http.UrlConnectionTransport()).build());
  }

  static Credentials akSkCredentials() {
    return Credentials.akSk(Fixtures.AK, Fixtures.SK);
  }

  /** AK/SK signing against {@code base} (e.g. {@code https://127.0.0.1:8443}), over the default transport. */
  public static Contender akSk(String base) {
    return new OursContender("ours (AK/SK, default java.net.http)", builder(base).credentials(akSkCredentials()).build());
  }

  /** AK/SK signing against {@code base}, over {@link io.github.cphsdk.http.UrlConnectionTransport}. */
  public static Contender akSkUrlConnection(String base) {
    return new OursContender("ours (AK/SK, HttpURLConnection)", builder(base).credentials(akSkCredentials())
        .transport(new io.github.cphsdk.http.UrlConnectionTransport()).build());
  }

  static CloudPhoneClient.Builder builder(int port) {
    return builder("http://127.0.0.1:" + port);
  }

  static CloudPhoneClient.Builder builder(String base) {
    CloudPhoneClient.Builder b = CloudPhoneClient.builder()
        .endpoint(URI.create(base))
        .projectId(Fixtures.PROJECT_ID)
        .maxServersPerRequest(100);
    // only to explore the setting; the published figures use the default
    String max = System.getProperty("bench.maxConcurrentRequests");
    return max == null ? b : b.maxConcurrentRequests(Integer.parseInt(max));
  }

  /** The request a user builds for each push: validated at build(). */
  static ShareAppsRequest request(int servers) {
    return ShareAppsRequest.builder()
        .packageName(Fixtures.PACKAGE_NAME)
        .bucketName(Fixtures.BUCKET)
        .objectPath(Fixtures.OBJECT_PATH)
        .preInstallApp(true)
        .addAllServerIds(Fixtures.serverIds(servers))
        .build();
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public void call(int servers) {
    ShareAppsResponse r = client.shareApps(request(servers));
    Contender.expect("jobs", servers, r.jobs().size());
  }

  @Override
  public CompletableFuture<?> callAsync(int servers) {
    return client.shareAppsAsync(request(servers))
        .thenAccept(r -> Contender.expect("jobs", servers, r.jobs().size()));
  }

  @Override
  public void close() {
    client.close();
  }

  /**
   * The headers our client sends for the documented push with these credentials, captured through a
   * transport that answers without a network, so bare java.net.http can send exactly the same ones.
   */
  public static List<Map.Entry<String, String>> capturedHeaders(Credentials credentials) {
    HttpRequest[] seen = new HttpRequest[1];
    HttpTransport capture = new HttpTransport() {
      @Override
      public HttpResponse execute(HttpRequest request) {
        seen[0] = request;
        return HttpResponse.of(200, Map.of(), Fixtures.answer(2), false);
      }

      @Override
      public CompletableFuture<HttpResponse> executeAsync(HttpRequest request) {
        return CompletableFuture.completedFuture(execute(request));
      }

      @Override
      public void close() {}
    };
    try (CloudPhoneClient c = builder(1).credentials(credentials).transport(capture).build()) {
      c.shareApps(request(2));
    }
    return seen[0].headers();
  }

  /** The credentials for the header capture: AK/SK, the column the goals are about. */
  public static Credentials bestCredentials() {
    return akSkCredentials();
  }
}
