package io.github.cphsdk.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.cphsdk.testkit.internal.QueryString;
import io.github.cphsdk.testkit.internal.SdkHmacSha256;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;

/** A tiny java.net.http client for the tests (the testkit does not depend on cph-sdk-core). */
final class TestHttp {
  static final ObjectMapper JSON = new ObjectMapper();
  static final String S1 = "1234567b8bab40ffb711234cb80d0234";
  static final String S2 = "1678567b8bab40f93711234cb80d0764";
  static final String S3 = "aaaaaaaabbbbbbbbccccccccdddddddd";
  static final String S4 = "0000000011111111222222223333333a";
  static final String PKG = "com.miniteck.miniworld";
  static final DateTimeFormatter SDK_DATE =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

  final HttpClient client;
  final FakeCloudPhoneServer server;

  TestHttp(FakeCloudPhoneServer server) {
    this.server = server;
    this.client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(10)).build();
  }

  static final class Response {
    final int status;
    final HttpResponse<String> raw;
    final String body;

    Response(HttpResponse<String> raw) {
      this.raw = raw;
      this.status = raw.statusCode();
      this.body = raw.body();
    }

    JsonNode json() {
      try {
        return JSON.readTree(body);
      } catch (IOException e) {
        throw new AssertionError("not JSON: " + body, e);
      }
    }

    String header(String name) {
      return raw.headers().firstValue(name).orElse(null);
    }

    String errorCode() {
      return json().path("error_code").asText(null);
    }
  }

  String base() {
    return "/v1/" + server.projectId() + "/cloud-phone";
  }

  String shareApps() {
    return base() + "/phones/share-apps";
  }

  static String pushBody(String... serverIds) {
    return "{\"package_name\":\"" + PKG + "\",\"pre_install_app\":1,\"bucket_name\":\"bucket\","
        + "\"object_path\":\"my_apps/test.tar\",\"server_ids\":" + ids(serverIds) + "}";
  }

  static String deleteBody(String pkg, String... serverIds) {
    return "{\"package_name\":\"" + pkg + "\",\"server_ids\":" + ids(serverIds) + "}";
  }

  static String ids(String... serverIds) {
    List<String> quoted = new ArrayList<>();
    for (String id : serverIds) {
      quoted.add("\"" + id + "\"");
    }
    return "[" + String.join(",", quoted) + "]";
  }

  HttpRequest.Builder request(String method, String pathAndQuery, String body) {
    HttpRequest.BodyPublisher publisher = body == null
        ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body);
    HttpRequest.Builder b = HttpRequest.newBuilder(server.endpoint().resolve(pathAndQuery))
        .timeout(Duration.ofSeconds(20))
        .method(method, publisher);
    if (body != null) {
      b.header("Content-Type", "application/json");
    }
    return b;
  }

  Response send(HttpRequest.Builder request) throws IOException, InterruptedException {
    return new Response(client.send(request.build(), HttpResponse.BodyHandlers.ofString()));
  }

  CompletableFuture<Response> sendAsync(HttpRequest.Builder request) {
    return client.sendAsync(request.build(), HttpResponse.BodyHandlers.ofString()).thenApply(Response::new);
  }

  /** Sends with an X-Auth-Token (when not null). */
  Response send(String method, String pathAndQuery, String body, String token)
      throws IOException, InterruptedException {
    HttpRequest.Builder b = request(method, pathAndQuery, body);
    if (token != null) {
      b.header("X-Auth-Token", token);
    }
    return send(b);
  }

  Response push(String token, String... serverIds) throws IOException, InterruptedException {
    return send("POST", shareApps(), pushBody(serverIds), token);
  }

  Response listJobs(String token, String query) throws IOException, InterruptedException {
    return send("GET", base() + "/jobs?" + query, null, token);
  }

  Response showJob(String token, String jobId) throws IOException, InterruptedException {
    return send("GET", base() + "/jobs/" + jobId, null, token);
  }

  /**
   * Signs the request the way docs/API.md section 4 describes, with host, x-sdk-date and the extra headers
   * (lower-case names) signed, and returns the builder with the headers set.
   */
  HttpRequest.Builder signed(String method, String pathAndQuery, String body, String ak, String sk, Instant at,
      Map<String, String> extraSignedHeaders) {
    HttpRequest.Builder b = request(method, pathAndQuery, body);
    URI uri = server.endpoint().resolve(pathAndQuery);
    TreeMap<String, String> headers = new TreeMap<>(extraSignedHeaders);
    headers.put("host", uri.getRawAuthority());
    headers.put("x-sdk-date", SDK_DATE.format(at));
    List<String> names = new ArrayList<>(headers.keySet());
    String canonical = SdkHmacSha256.canonicalRequest(method, uri.getRawPath(), QueryString.parse(uri.getRawQuery()),
        names, headers::get, body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8));
    String signature = SdkHmacSha256.signature(sk,
        SdkHmacSha256.stringToSign(headers.get("x-sdk-date"), canonical));
    headers.forEach((k, v) -> {
      if (!k.equals("host")) {
        b.header(k, v);
      }
    });
    b.header("Authorization", SdkHmacSha256.authorization(ak, names, signature));
    return b;
  }
}
