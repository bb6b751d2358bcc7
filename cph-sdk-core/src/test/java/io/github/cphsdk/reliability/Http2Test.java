package io.github.cphsdk.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.github.cphsdk.CloudPhoneClient;
import io.github.cphsdk.auth.Credentials;
import io.github.cphsdk.http.HttpVersion;
import io.github.cphsdk.model.ShareAppsRequest;
import io.github.cphsdk.model.ShareAppsResponse;
import io.github.cphsdk.retry.RetryPolicy;
import java.net.InetAddress;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okhttp3.Protocol;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The HTTP version policy against a real TLS server that offers h2 by ALPN (MockWebServer): the default
 * negotiates HTTP/2, {@code httpVersion(HTTP_1_1)} stays on HTTP/1.1, plain http stays on HTTP/1.1 without an
 * h2c upgrade.
 */
class Http2Test {
  @TempDir
  static Path dir;
  static KeyStore cert;
  static SSLContext trust;

  MockWebServer server = new MockWebServer();

  @BeforeAll
  static void certificate() throws Exception {
    cert = Certificates.loopback(dir);
    trust = TlsTest.trusting(cert);
  }

  @AfterEach
  void stop() {
    server.close();
  }

  void startTls() throws Exception {
    server.useHttps(Certificates.serving(cert).getSocketFactory());
    server.setProtocols(List.of(Protocol.HTTP_2, Protocol.HTTP_1_1));
    server.start(InetAddress.getByName("127.0.0.1"), 0);
  }

  CloudPhoneClient client(HttpVersion version) {
    CloudPhoneClient.Builder b = CloudPhoneClient.builder().endpoint(server.url("/").uri())
        .projectId(ResendScenarios.PROJECT).credentials(Credentials.token("h2-test-token"))
        .retryPolicy(RetryPolicy.none()).sslContext(trust).attemptTimeout(Duration.ofSeconds(10));
    if (version != null) {
      b.httpVersion(version);
    }
    return b.build();
  }

  static ShareAppsRequest request() {
    return ShareAppsRequest.builder().packageName("com.example.app").bucketName("bucket").objectPath("apps/app.tar")
        .addServerIds(ResendScenarios.SERVER_ID).build();
  }

  MockResponse ok() {
    return new MockResponse.Builder().code(200).addHeader("Content-Type", "application/json")
        .body(new String(ResendScenarios.OK, java.nio.charset.StandardCharsets.UTF_8)).build();
  }

  RecordedRequest pushOnce(HttpVersion version, boolean async) throws Exception {
    server.enqueue(ok());
    try (CloudPhoneClient client = client(version)) {
      ShareAppsResponse r = async ? client.shareAppsAsync(request()).get(20, TimeUnit.SECONDS) : client.shareApps(request());
      assertEquals(1, r.accepted().size());
    }
    return server.takeRequest();
  }

  @Test
  void theDefaultNegotiatesHttp2OverTls() throws Exception {
    startTls();
    RecordedRequest sync = pushOnce(null, false);
    RecordedRequest async = pushOnce(null, true);
    assertEquals("HTTP/2", sync.getVersion());
    assertEquals("HTTP/2", async.getVersion());
    assertEquals(String.valueOf(sync.getBodySize()), sync.getHeaders().get("Content-Length"));
  }

  @Test
  void http11StaysOnHttp11OverTls() throws Exception {
    startTls();
    assertEquals("HTTP/1.1", pushOnce(HttpVersion.HTTP_1_1, false).getVersion());
    assertEquals("HTTP/1.1", pushOnce(HttpVersion.HTTP_1_1, true).getVersion());
  }

  @Test
  void aRefusedStreamIsNotAppliedAndRetried() throws Exception {
    startTls();
    // REFUSED_STREAM (RFC 9113 8.7: closed before any processing), then a normal answer
    server.enqueue(new MockResponse.Builder().onRequestStart(new mockwebserver3.SocketEffect.CloseStream(7)).build());
    server.enqueue(ok());
    try (CloudPhoneClient client = CloudPhoneClient.builder().endpoint(server.url("/").uri())
        .projectId(ResendScenarios.PROJECT).credentials(Credentials.token("h2-test-token"))
        .retryPolicy(RetryPolicy.builder().maxAttempts(2).backoff(io.github.cphsdk.retry.BackoffStrategy.fixed(Duration.ZERO)).build())
        .sslContext(trust).attemptTimeout(Duration.ofSeconds(10)).build()) {
      ShareAppsResponse r = client.shareApps(request());
      assertEquals(1, r.accepted().size());
    }
    System.out.println("refused stream, JDK " + Runtime.version().feature() + ": " + server.getRequestCount() + " requests");
    assertEquals(2, server.getRequestCount());
  }

  @Test
  void cleartextStaysOnHttp11WithoutAnUpgrade() throws Exception {
    server.start(InetAddress.getByName("127.0.0.1"), 0);
    RecordedRequest seen = pushOnce(HttpVersion.HTTP_2, false);
    assertEquals("HTTP/1.1", seen.getVersion());
    assertNull(seen.getHeaders().get("Upgrade"));
    assertNull(seen.getHeaders().get("HTTP2-Settings"));
  }
}
