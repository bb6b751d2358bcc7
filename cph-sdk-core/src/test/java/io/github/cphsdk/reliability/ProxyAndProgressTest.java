package io.github.cphsdk.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.cphsdk.CloudPhoneClient;
import io.github.cphsdk.CloudPhoneException;
import io.github.cphsdk.CloudPhoneTimeoutException;
import io.github.cphsdk.CloudPhoneTransportException;
import io.github.cphsdk.auth.Credentials;
import io.github.cphsdk.http.HttpTransport;
import io.github.cphsdk.http.JdkHttpTransport;
import io.github.cphsdk.model.ShareAppsRequest;
import io.github.cphsdk.model.ShareAppsResponse;
import io.github.cphsdk.retry.RetryPolicy;
import io.github.cphsdk.testsupport.HandshakeStaller;
import io.github.cphsdk.testsupport.LoopbackServer;
import java.net.InetAddress;
import java.net.ProxySelector;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The java.net.http transport through a proxy (tunnel, 407, 403, a proxy that never answers) and against a
 * server whose TLS handshake never ends: whatever did not reach the service is reported as "nothing was sent"
 * (mayHaveBeenApplied false), synchronously and asynchronously, including when the attempt's deadline ends it.
 */
class ProxyAndProgressTest {
  static final String PROJECT = "0123456789abcdef0123456789abcdef";
  static final Duration ATTEMPT = Duration.ofMillis(1500);

  @TempDir
  static Path dir;
  static KeyStore cert;
  static SSLContext trust;

  final List<AutoCloseable> toClose = new ArrayList<>();

  @BeforeAll
  static void certificate() throws Exception {
    cert = Certificates.loopback(dir);
    trust = TlsTest.trusting(cert);
  }

  @AfterEach
  void closeAll() throws Exception {
    for (int i = toClose.size() - 1; i >= 0; i--) {
      toClose.get(i).close();
    }
  }

  static ShareAppsRequest request() {
    return ShareAppsRequest.builder().packageName("com.example.app").bucketName("bucket").objectPath("apps/app.tar")
        .addServerIds(ResendScenarios.SERVER_ID).build();
  }

  LoopbackServer httpsTarget() throws Exception {
    SSLServerSocket socket = (SSLServerSocket) Certificates.serving(cert).getServerSocketFactory()
        .createServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
    LoopbackServer server = new LoopbackServer((request, out) -> {
      out.write(LoopbackServer.ascii("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "
          + ResendScenarios.OK.length + "\r\n\r\n"));
      out.write(ResendScenarios.OK);
      return true;
    }, socket);
    toClose.add(server);
    return server;
  }

  CloudPhoneClient.Builder builder(java.net.URI endpoint) {
    return CloudPhoneClient.builder().endpoint(endpoint).projectId(PROJECT)
        .credentials(Credentials.token("proxy-test-token")).retryPolicy(RetryPolicy.none())
        .attemptTimeout(ATTEMPT).callTimeout(ATTEMPT.multipliedBy(2)).sslContext(trust);
  }

  CloudPhoneClient client(CloudPhoneClient.Builder b) {
    CloudPhoneClient c = b.build();
    toClose.add(c);
    return c;
  }

  /** Fails the push synchronously and asynchronously; returns both failures. */
  static List<CloudPhoneException> failBothWays(CloudPhoneClient client) {
    List<CloudPhoneException> out = new ArrayList<>();
    out.add(assertThrows(CloudPhoneException.class, () -> client.shareApps(request())));
    CompletionException async = assertThrows(CompletionException.class, () -> client.shareAppsAsync(request()).join());
    out.add(assertInstanceOf(CloudPhoneException.class, async.getCause()));
    return out;
  }

  @Test
  void pushesThroughAConnectTunnel() throws Exception {
    LoopbackServer target = httpsTarget();
    TinyConnectProxy proxy = new TinyConnectProxy(TinyConnectProxy.Mode.TUNNEL);
    toClose.add(proxy);
    CloudPhoneClient client = client(builder(target.endpoint()).proxy(ProxySelector.of(proxy.address())));

    ShareAppsResponse sync = client.shareApps(request());
    ShareAppsResponse async = client.shareAppsAsync(request()).join();

    assertEquals(1, sync.accepted().size());
    assertEquals(1, async.accepted().size());
    assertEquals(2, target.requests.size());
    assertTrue(proxy.heads.stream().anyMatch(h -> h.startsWith("CONNECT 127.0.0.1:" + target.port() + " ")),
        proxy.heads.toString());
  }

  @Test
  void proxyAnswering407IsAClearNothingSentError() throws Exception {
    LoopbackServer target = httpsTarget();
    TinyConnectProxy proxy = new TinyConnectProxy(TinyConnectProxy.Mode.REQUIRE_AUTH);
    toClose.add(proxy);
    CloudPhoneClient client = client(builder(target.endpoint()).proxy(ProxySelector.of(proxy.address())));

    for (CloudPhoneException e : failBothWays(client)) {
      assertInstanceOf(CloudPhoneTransportException.class, e, e.toString());
      assertFalse(e.mayHaveBeenApplied(), e.getMessage());
      assertTrue(e.getMessage().contains("407") && e.getMessage().contains("proxyAuthenticator"), e.getMessage());
    }
    assertEquals(0, target.requests.size());
    assertFalse(proxy.heads.isEmpty());
  }

  @Test
  void proxyAuthenticatorIsNeverAskedForTheServicesCredentials() throws Exception {
    List<String> asked = new CopyOnWriteArrayList<>();
    java.net.Authenticator authenticator = new java.net.Authenticator() {
      @Override
      protected java.net.PasswordAuthentication getPasswordAuthentication() {
        asked.add(getRequestorType() + " " + getRequestingScheme());
        return new java.net.PasswordAuthentication("user", "secret-password".toCharArray());
      }
    };
    LoopbackServer server = new LoopbackServer((request, out) -> {
      out.write(LoopbackServer.ascii("HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic realm=\"svc\"\r\n"
          + "Content-Type: application/json\r\nContent-Length: 2\r\n\r\n{}"));
      return true;
    });
    toClose.add(server);
    CloudPhoneClient client = client(builder(server.endpoint()).proxyAuthenticator(authenticator));

    CloudPhoneException e = assertThrows(CloudPhoneException.class, () -> client.shareApps(request()));

    assertTrue(e.getMessage().contains("401"), e.getMessage());
    assertEquals(1, server.requests.size(), "a 401 of the service must not make java.net.http resend the push");
    assertTrue(server.requests.get(0).headers.get("authorization") == null, "no credentials of ours sent");
    assertTrue(asked.isEmpty(), asked.toString());
  }

  @Test
  void proxyRefusingTheTunnelIsNothingSent() throws Exception {
    LoopbackServer target = httpsTarget();
    TinyConnectProxy proxy = new TinyConnectProxy(TinyConnectProxy.Mode.FORBID);
    toClose.add(proxy);
    CloudPhoneClient client = client(builder(target.endpoint()).proxy(ProxySelector.of(proxy.address())));

    for (CloudPhoneException e : failBothWays(client)) {
      assertFalse(e.mayHaveBeenApplied(), e.getMessage());
      assertTrue(e.getMessage().contains("Nothing was sent"), e.getMessage());
    }
    assertEquals(0, target.requests.size());
  }

  @Test
  void silentProxyUntilTheDeadlineIsNothingSent() throws Exception {
    LoopbackServer target = httpsTarget();
    TinyConnectProxy proxy = new TinyConnectProxy(TinyConnectProxy.Mode.SILENT);
    toClose.add(proxy);
    CloudPhoneClient client = client(builder(target.endpoint()).proxy(ProxySelector.of(proxy.address())));

    for (CloudPhoneException e : failBothWays(client)) {
      assertInstanceOf(CloudPhoneTimeoutException.class, e, e.toString());
      assertFalse(e.mayHaveBeenApplied(), e.getMessage());
    }
    assertEquals(0, target.requests.size());
  }

  @ParameterizedTest
  @EnumSource(value = TransportKind.class, names = {"DEFAULT", "JDK_HTTP"})
  void tlsHandshakeStalledUntilTheDeadlineIsNothingSent(TransportKind kind) throws Exception {
    HandshakeStaller server = new HandshakeStaller(HandshakeStaller.Mode.STALL);
    toClose.add(server);
    CloudPhoneClient.Builder b = builder(server.endpoint());
    HttpTransport transport = kind.configure(b, trust);
    if (transport != null) {
      toClose.add(transport);
    }
    CloudPhoneClient client = client(b);

    for (CloudPhoneException e : failBothWays(client)) {
      assertInstanceOf(CloudPhoneTimeoutException.class, e, e.toString());
      assertFalse(e.mayHaveBeenApplied(), kind + ": " + e.getMessage());
      assertEquals(1, e.attempts());
    }
    assertTrue(server.bytesRead.get() > 0, "the client did start a handshake");
  }

  @Test
  void transportBuilderTakesProxyAndVersion() throws Exception {
    LoopbackServer target = httpsTarget();
    TinyConnectProxy proxy = new TinyConnectProxy(TinyConnectProxy.Mode.TUNNEL);
    toClose.add(proxy);
    JdkHttpTransport transport = JdkHttpTransport.builder().sslContext(trust).proxy(ProxySelector.of(proxy.address()))
        .httpVersion(io.github.cphsdk.http.HttpVersion.HTTP_1_1).connectTimeout(Duration.ofSeconds(3)).build();
    toClose.add(transport);
    CloudPhoneClient client = client(builder(target.endpoint()).transport(transport));

    assertEquals(1, client.shareApps(request()).accepted().size());
    assertEquals(1, proxy.heads.size());
  }
}
