package io.github.cphsdk.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.cphsdk.CloudPhoneClient;
import io.github.cphsdk.CloudPhoneException;
import io.github.cphsdk.CloudPhoneTransportException;
import io.github.cphsdk.auth.Credentials;
import io.github.cphsdk.http.HttpTransport;
import io.github.cphsdk.model.ShareAppsRequest;
import io.github.cphsdk.model.ShareAppsResponse;
import io.github.cphsdk.retry.RetryPolicy;
import io.github.cphsdk.testsupport.HandshakeStaller;
import io.github.cphsdk.testsupport.LoopbackServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * TLS stays verified: against a loopback https server with a self-signed certificate (made at test time with
 * the JDK's keytool), the default trust refuses the handshake (nothing sent, not retried), trusting exactly that
 * certificate works, and a trusted certificate for another name is still refused (hostname verification is on).
 * There is no switch to turn verification off.
 */
class TlsTest {
  static final String PROJECT = "0123456789abcdef0123456789abcdef";
  static final String TOKEN = "tls-test-token-5d1e";
  static final String PASSWORD = "changeit";
  static final String OK_BODY = "{\"request_id\":\"r\",\"jobs\":[{\"server_id\":\"1234567b8bab40ffb711234cb80d0234\","
      + "\"job_id\":\"j\"}]}";

  @TempDir
  static Path dir;
  static KeyStore loopbackCert;
  static KeyStore otherNameCert;

  final List<AutoCloseable> toClose = new ArrayList<>();

  @BeforeAll
  static void makeCertificates() throws Exception {
    loopbackCert = keytool("loopback", "ip:127.0.0.1,dns:localhost");
    otherNameCert = keytool("other", "dns:cph.other.example");
  }

  /** A fresh self-signed EC key pair and certificate with the given subject alternative names. */
  static KeyStore keytool(String alias, String san) throws Exception {
    Path store = dir.resolve(alias + ".p12");
    Process p = new ProcessBuilder(Paths.get(System.getProperty("java.home"), "bin", "keytool").toString(),
        "-genkeypair", "-alias", alias, "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=" + alias,
        "-ext", "SAN=" + san, "-validity", "2", "-storetype", "PKCS12", "-keystore", store.toString(),
        "-storepass", PASSWORD, "-keypass", PASSWORD)
        .redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0, "keytool failed: " + output);
    KeyStore ks = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(store)) {
      ks.load(in, PASSWORD.toCharArray());
    }
    return ks;
  }

  /** An SSLContext that trusts exactly the certificate of {@code keyStore}, as a user with a private CA would. */
  static SSLContext trusting(KeyStore keyStore) throws Exception {
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    String alias = keyStore.aliases().nextElement();
    Certificate cert = keyStore.getCertificate(alias);
    trust.setCertificateEntry(alias, cert);
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(null, tmf.getTrustManagers(), null);
    return ctx;
  }

  LoopbackServer httpsServer(KeyStore keyStore) throws Exception {
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(keyStore, PASSWORD.toCharArray());
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(kmf.getKeyManagers(), null, null);
    SSLServerSocket socket = (SSLServerSocket) ctx.getServerSocketFactory()
        .createServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
    byte[] body = OK_BODY.getBytes(StandardCharsets.UTF_8);
    LoopbackServer server = new LoopbackServer((request, out) -> {
      out.write(LoopbackServer.ascii("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "
          + body.length + "\r\n\r\n"));
      out.write(body);
      return true;
    }, socket);
    toClose.add(server);
    return server;
  }

  CloudPhoneClient client(TransportKind kind, LoopbackServer server, SSLContext trust) {
    CloudPhoneClient.Builder b = CloudPhoneClient.builder()
        .endpoint(server.endpoint())
        .projectId(PROJECT)
        .credentials(Credentials.token(TOKEN))
        .retryPolicy(RetryPolicy.defaults())
        .connectTimeout(Duration.ofSeconds(5))
        .attemptTimeout(Duration.ofSeconds(10))
        .callTimeout(Duration.ofSeconds(20));
    HttpTransport transport = kind.configure(b, trust);
    if (transport != null) {
      toClose.add(transport);
    }
    CloudPhoneClient client = b.build();
    toClose.add(client);
    return client;
  }

  @AfterEach
  void closeAll() throws Exception {
    for (int i = toClose.size() - 1; i >= 0; i--) {
      toClose.get(i).close();
    }
  }

  static ShareAppsRequest request() {
    return ShareAppsRequest.builder().packageName("com.example.app").bucketName("bucket").objectPath("a/b.tar")
        .addServerIds("1234567b8bab40ffb711234cb80d0234").build();
  }

  /** Both ways fail as a TLS failure: transport exception, nothing applied, one attempt, nothing received. */
  static void refusedBothWays(CloudPhoneClient client, LoopbackServer server) throws Exception {
    CloudPhoneTransportException sync = assertThrows(CloudPhoneTransportException.class,
        () -> client.shareApps(request()));
    ExecutionException wrapped = assertThrows(ExecutionException.class,
        () -> client.shareAppsAsync(request()).get(30, TimeUnit.SECONDS));
    CloudPhoneTransportException async = assertInstanceOf(CloudPhoneTransportException.class, wrapped.getCause());
    for (CloudPhoneException e : List.of(sync, async)) {
      assertTrue(e.getMessage().contains("TLS handshake with 127.0.0.1 failed"), e.getMessage());
      assertTrue(e.getMessage().contains("Nothing was sent"), e.getMessage());
      assertFalse(e.mayHaveBeenApplied());
      assertEquals(1, e.attempts(), "a TLS failure is not retried");
    }
    assertEquals(0, server.requests.size(), "an HTTP request got through a refused handshake");
  }

  @ParameterizedTest
  @EnumSource(TransportKind.class)
  void selfSignedCertificateIsRefusedByDefault(TransportKind kind) throws Exception {
    LoopbackServer server = httpsServer(loopbackCert);
    refusedBothWays(client(kind, server, null), server);
  }

  @ParameterizedTest
  @EnumSource(TransportKind.class)
  void trustingThatCertificateWorks(TransportKind kind) throws Exception {
    LoopbackServer server = httpsServer(loopbackCert);
    CloudPhoneClient client = client(kind, server, trusting(loopbackCert));

    ShareAppsResponse sync = client.shareApps(request());
    ShareAppsResponse async = client.shareAppsAsync(request()).get(30, TimeUnit.SECONDS);

    assertEquals("j", sync.jobs().get(0).jobId().orElseThrow());
    assertEquals("j", async.jobs().get(0).jobId().orElseThrow());
    assertEquals(2, server.requests.size());
    assertEquals(TOKEN, server.requests.get(0).headers.get("x-auth-token"));
  }

  @ParameterizedTest
  @EnumSource(TransportKind.class)
  void trustedCertificateForAnotherNameIsRefused(TransportKind kind) throws Exception {
    LoopbackServer server = httpsServer(otherNameCert);
    refusedBothWays(client(kind, server, trusting(otherNameCert)), server);
  }

  @ParameterizedTest
  @EnumSource(TransportKind.class)
  void trustingAnotherCertificateDoesNotTrustThisOne(TransportKind kind) throws Exception {
    LoopbackServer server = httpsServer(loopbackCert);
    refusedBothWays(client(kind, server, trusting(otherNameCert)), server);
  }

  /**
   * The connect timeout covers the TLS handshake: against a server that never answers the ClientHello, and one
   * that drips it a byte at a time, each attempt ends at the 200 ms connect timeout as a connect timeout (nothing
   * sent, so retried), sync and async. Without that, an attempt lasts its 20 s timeout (or, dripped, for ever
   * but for the deadline): the bound asserted, 10 s for the whole call, is far from both.
   */
  @ParameterizedTest
  @EnumSource(TransportKind.class)
  void stalledOrDrippedHandshakeEndsAtTheConnectTimeout(TransportKind kind) throws Exception {
    for (boolean drip : new boolean[] {false, true}) {
      HandshakeStaller staller = new HandshakeStaller(drip ? HandshakeStaller.Mode.DRIP : HandshakeStaller.Mode.STALL);
      toClose.add(staller);
      CloudPhoneClient.Builder b = CloudPhoneClient.builder()
          .endpoint(staller.endpoint())
          .projectId(PROJECT)
          .credentials(Credentials.token(TOKEN))
          .retryPolicy(RetryPolicy.defaults())
          .connectTimeout(Duration.ofMillis(200))
          .attemptTimeout(Duration.ofSeconds(20))
          .callTimeout(Duration.ofSeconds(25));
      HttpTransport transport = kind.configure(b, trusting(loopbackCert));
      if (transport != null) {
        toClose.add(transport);
      }
      CloudPhoneClient client = b.build();
      toClose.add(client);
      String context = kind + (drip ? " dripped handshake" : " stalled handshake");

      long start = System.nanoTime();
      io.github.cphsdk.CloudPhoneTimeoutException sync = assertThrows(io.github.cphsdk.CloudPhoneTimeoutException.class,
          () -> client.shareApps(request()), context);
      long syncMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      start = System.nanoTime();
      ExecutionException wrapped = assertThrows(ExecutionException.class,
          () -> client.shareAppsAsync(request()).get(60, TimeUnit.SECONDS), context);
      long asyncMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      CloudPhoneException async = assertInstanceOf(io.github.cphsdk.CloudPhoneTimeoutException.class,
          wrapped.getCause(), context);

      for (CloudPhoneException e : List.of(sync, async)) {
        assertFalse(e.mayHaveBeenApplied(), context + ": " + e.getMessage());
        assertTrue(e.getMessage().contains("Nothing was sent"), context + ": " + e.getMessage());
        assertEquals(3, e.attempts(), context + ": a connect timeout is retried: " + e.getMessage());
      }
      assertTrue(syncMillis < 10_000, context + ": sync took " + syncMillis + " ms");
      assertTrue(asyncMillis < 10_000, context + ": async took " + asyncMillis + " ms");
      assertEquals(6, staller.connections.get(), context + ": one connection per attempt");
    }
  }

  /**
   * Reviewed from the sources, not by reflection: no public method anywhere in the SDK is named after trust,
   * hostname verification or insecurity, except {@code allowInsecureHttp}, which permits plain http to a
   * non-loopback host and has nothing to do with TLS, and {@code UrlConnectionTransport.Builder.hostnameVerifier},
   * a hook for a verifier of the application's own (the platform's strict check by default), like
   * {@code HttpsURLConnection}'s. Trust is only ever added ({@code sslContext}, {@code sslSocketFactory}), never
   * switched off by a flag. ({@code JsonLimits.Bounded.skipChildren} is Jackson's {@code JsonParser} method,
   * overridden to walk a subtree through the JSON limits: nothing to do with TLS.)
   */
  @Test
  void thereIsNoSwitchToTurnVerificationOff() throws IOException {
    Pattern publicMethod = Pattern.compile("public\\s+(?:static\\s+)?(?:final\\s+)?[\\w<>\\[\\]?, .]+\\s+(\\w+)\\s*\\(");
    Pattern suspicious = Pattern.compile("(?i).*(trust|insecure|verif|hostname|unsafe|skip|disable|allowall|acceptall).*");
    List<String> found = new ArrayList<>();
    int files = 0;
    try (Stream<Path> sources = Files.walk(Paths.get("src", "main", "java"))) {
      for (Path source : sources.filter(p -> p.toString().endsWith(".java")).collect(Collectors.toList())) {
        files++;
        Matcher m = publicMethod.matcher(Files.readString(source));
        while (m.find()) {
          if (suspicious.matcher(m.group(1)).matches()) {
            found.add(source.getFileName() + "#" + m.group(1));
          }
        }
      }
    }
    assertTrue(files > 20, "the sources were not found from " + Paths.get("").toAbsolutePath());
    java.util.Collections.sort(found);
    assertEquals(List.of("CloudPhoneClient.java#allowInsecureHttp", "JsonLimits.java#skipChildren",
        "UrlConnectionTransport.java#hostnameVerifier"),
        found);
  }
}
