package io.github.cphsdk.portability;

import static io.github.cphsdk.testsupport.LoopbackServer.drop;
import static io.github.cphsdk.testsupport.LoopbackServer.respond;

import io.github.cphsdk.CloudPhoneClient;
import io.github.cphsdk.CloudPhoneServiceException;
import io.github.cphsdk.CloudPhoneTransportException;
import io.github.cphsdk.WaitOptions;
import io.github.cphsdk.auth.Credentials;
import io.github.cphsdk.http.HttpTransport;
import io.github.cphsdk.http.JdkHttpTransport;
import io.github.cphsdk.http.UrlConnectionTransport;
import io.github.cphsdk.model.JobReport;
import io.github.cphsdk.model.ShareAppsRequest;
import io.github.cphsdk.model.ShareAppsResponse;
import io.github.cphsdk.retry.BackoffStrategy;
import io.github.cphsdk.retry.RetryPolicy;
import io.github.cphsdk.testkit.FakeClock;
import io.github.cphsdk.testkit.FakeCloudPhoneServer;
import io.github.cphsdk.testkit.Fault;
import io.github.cphsdk.testkit.Operation;
import io.github.cphsdk.testsupport.LoopbackServer;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Uses the SDK the way an Android app or a trimmed desktop runtime would: in a JVM where the module
 * {@code java.net.http} does not exist ({@code --limit-modules java.base,jdk.httpserver}; the second module
 * only for the testkit's emulator), through
 * {@link UrlConnectionTransport}, against {@link LoopbackServer#scripted() a scripted LoopbackServer} on loopback. It pushes, gets a 503 and
 * retries, parses the answer (accepted and rejected servers), gets a service error, pushes asynchronously,
 * and loses the connection after sending (no retry, may have been applied); then, against the testkit's
 * emulator, pushes with AK/SK signing and waits for the jobs, through {@link UrlConnectionTransport} and
 * through the default transport. Any class of {@code java.net.http}
 * touched on the way fails with {@code NoClassDefFoundError}.
 *
 * <p>Prints one {@code OK ...} line per step and {@code ALL OK} at the end; exits 1 on any failure.
 * {@link NoJavaNetHttpTest} runs it in a separate JVM.
 */
public final class NoJavaNetHttpProgram {
  static final String TOKEN = "MIIZtoken-for-the-portability-check";
  static final String ACCESS_KEY = "AKPORTABILITY0123456";
  static final String SECRET_KEY = "SKportability-secret-0123456789";
  static final String PROJECT = "0123456789abcdef0123456789abcdef";
  static final String SERVER_A = "1234567b8bab40ffb711234cb80d0234";
  static final String SERVER_B = "1678567b8bab40f93711234cb80d0764";
  static final String EXPECTED_BODY = "{\"package_name\":\"com.miniteck.miniworld\",\"pre_install_app\":1,"
      + "\"bucket_name\":\"bucket\",\"object_path\":\"my_apps/test.tar\",\"server_ids\":[\"" + SERVER_A
      + "\",\"" + SERVER_B + "\"]}";
  static final String ANSWER = "{\"request_id\":\"6837531fd3f54550927b930180a706bf\",\"jobs\":["
      + "{\"server_id\":\"" + SERVER_A + "\",\"job_id\":\"1564567b8bab40f34711234cb80d0123\"},"
      + "{\"server_id\":\"" + SERVER_B + "\",\"error_code\":\"CPS.0016\",\"error_msg\":\"invalid server_id\"}],"
      + "\"unknown_field\":{\"ignored\":[1,2,3]}}";

  private NoJavaNetHttpProgram() {}

  public static void main(String[] args) {
    try {
      run();
      System.out.println("ALL OK");
      System.exit(0);
    } catch (Throwable t) {
      System.out.println("FAILED: " + t);
      t.printStackTrace(System.out);
      System.exit(1);
    }
  }

  private static void run() throws Exception {
    check(!ModuleLayer.boot().findModule("java.net.http").isPresent(),
        "this check must run in a JVM without the module java.net.http (use --limit-modules java.base)");
    try {
      Class.forName("java.net.http.HttpClient");
      throw new AssertionError("java.net.http.HttpClient must not be loadable here");
    } catch (ClassNotFoundException expected) {
      System.out.println("OK java.net.http is absent");
    }

    ShareAppsRequest request = ShareAppsRequest.builder()
        .packageName("com.miniteck.miniworld")
        .bucketName("bucket")
        .objectPath("my_apps/test.tar")
        .preInstallApp(true)
        .addServerIds(SERVER_A, SERVER_B)
        .build();
    try {
      ShareAppsRequest.builder().packageName("no-dots").bucketName("bucket").objectPath("a.tar")
          .addServerIds(SERVER_A).build();
      throw new AssertionError("an invalid package name must be refused");
    } catch (IllegalArgumentException expected) {
      check(expected.getMessage().contains("package_name"), "the message names the field: " + expected);
      System.out.println("OK request validated");
    }

    try (LoopbackServer server = LoopbackServer.scripted();
        UrlConnectionTransport transport = new UrlConnectionTransport()) {
      CloudPhoneClient client = CloudPhoneClient.builder()
          .endpoint(server.endpoint())
          .projectId(PROJECT)
          .credentials(Credentials.token(TOKEN))
          .retryPolicy(RetryPolicy.builder().maxAttempts(3).backoff(BackoffStrategy.fixed(Duration.ZERO)).build())
          .transport(transport)
          .attemptTimeout(Duration.ofSeconds(20))
          .callTimeout(Duration.ofSeconds(60))
          .build();

      // 1. 503 then 200: retried, the same bytes sent twice, the answer parsed.
      server.enqueue(
          respond(503, "{\"error_code\":\"CPS.0003\",\"error_msg\":\"busy\"}", "Retry-After", "0"),
          respond(200, ANSWER, "Content-Type", "application/json", "X-Request-Id", "6837531fd3f54550927b930180a706bf"));
      ShareAppsResponse response = client.shareApps(request);
      check("6837531fd3f54550927b930180a706bf".equals(response.requestId()), "request id: " + response.requestId());
      check(response.jobs().size() == 2, "two jobs: " + response.jobs());
      check(response.accepted().size() == 1 && response.accepted().get(0).serverId().equals(SERVER_A)
          && response.accepted().get(0).jobId().orElse("").equals("1564567b8bab40f34711234cb80d0123"),
          "server A accepted: " + response.accepted());
      check(response.rejected().size() == 1 && response.rejected().get(0).errorCode().orElse("").equals("CPS.0016"),
          "server B rejected: " + response.rejected());
      List<LoopbackServer.Request> received = server.requests;
      check(received.size() == 2, "503 then 200: two attempts, got " + received.size());
      for (LoopbackServer.Request r : received) {
        check(r.method.equals("POST"), "method " + r.method);
        check(r.target.equals("/v1/" + PROJECT + "/cloud-phone/phones/share-apps"), "path " + r.target);
        check(TOKEN.equals(r.headers.get("x-auth-token")), "X-Auth-Token on every attempt");
        check(r.headers.get("content-type").startsWith("application/json"), "content type " + r.headers);
        check(String.valueOf(r.body.length).equals(r.headers.get("content-length")), "Content-Length");
        check(!r.headers.containsKey("transfer-encoding"), "never chunked");
        check(EXPECTED_BODY.equals(r.bodyUtf8()), "body on the wire: " + r.bodyUtf8());
      }
      System.out.println("OK push retried after 503 and parsed (1 accepted, 1 rejected)");

      // 2. A service error: not retried, every field of the error kept.
      server.enqueue(respond(400, "{\"request_id\":\"aad0860d089c482b943971f802a6718e\",\"error_code\":\"CPS.0148\","
          + "\"error_msg\":\"Invalid pre_install_app.\"}", "Content-Type", "application/json"));
      try {
        client.shareApps(request);
        throw new AssertionError("a 400 answer must fail the call");
      } catch (CloudPhoneServiceException e) {
        check(e.statusCode() == 400, "status " + e.statusCode());
        check("CPS.0148".equals(e.errorCode()), "error code " + e.errorCode());
        check("Invalid pre_install_app.".equals(e.errorMessage()), "error message " + e.errorMessage());
        check("aad0860d089c482b943971f802a6718e".equals(e.requestId()), "request id " + e.requestId());
        check(!e.mayHaveBeenApplied(), "a 400 was not applied");
        check(e.attempts() == 1, "a 400 is not retried: " + e.attempts());
      }
      check(server.requests.size() == 3, "one more request");
      System.out.println("OK service error CPS.0148 mapped, not retried");

      // 3. Asynchronously, on the transport's own threads.
      server.enqueue(respond(200, ANSWER, "Content-Type", "application/json"));
      ShareAppsResponse async = client.shareAppsAsync(request).get(60, TimeUnit.SECONDS);
      check(async.jobs().size() == 2 && async.accepted().size() == 1, "async answer " + async.jobs());
      System.out.println("OK async push parsed");

      // 4. Connection lost after the request was sent: never retried by default, may have been applied.
      server.enqueue(drop(), drop(), drop());
      int before = server.requests.size();
      try {
        client.shareApps(request);
        throw new AssertionError("a dropped connection must fail the call");
      } catch (CloudPhoneTransportException e) {
        check(e.mayHaveBeenApplied(), "the push may have been applied");
        check(e.attempts() == 1, "not retried: " + e.attempts());
      }
      check(server.requests.size() == before + 1, "exactly one request reached the server, got "
          + (server.requests.size() - before));
      System.out.println("OK dropped connection: one request, mayHaveBeenApplied");

      client.close();
    }

    try (UrlConnectionTransport transport = new UrlConnectionTransport()) {
      emulatorFlow(transport, "UrlConnectionTransport");
    }
    emulatorFlow(null, "default transport"); // UrlConnectionTransport, chosen at run time: java.net.http is absent

    // The control: JdkHttpTransport needs java.net.http, and touching it fails here. This is what would
    // happen to any other class that referenced java.net.http.
    try {
      new JdkHttpTransport().close();
      throw new AssertionError("JdkHttpTransport must not work without java.net.http");
    } catch (NoClassDefFoundError expected) {
      check(expected.getMessage().contains("java/net/http"), "the missing class is from java.net.http: " + expected);
      System.out.println("OK control: JdkHttpTransport fails with " + expected);
    }
  }

  /**
   * The same through the testkit's emulator (com.sun.net.httpserver, module jdk.httpserver, which does not
   * need java.net.http), which checks every AK/SK signature the way the service does: a signed push hit by a
   * 503 and retried, the per-server rejection parsed, then the jobs waited for until they finish.
   */
  private static void emulatorFlow(HttpTransport transport, String label) throws Exception {
    FakeClock clock = new FakeClock(Instant.now()); // AK/SK dates must be near the emulator's clock
    CloudPhoneClient.Builder builder = CloudPhoneClient.builder();
    if (transport != null) {
      builder.transport(transport);
    }
    try (FakeCloudPhoneServer emulator = FakeCloudPhoneServer.builder()
            .akSk(ACCESS_KEY, SECRET_KEY).clock(clock).jobDuration(Duration.ofSeconds(30))
            .serverWithoutSharedApps(SERVER_B).start();
        CloudPhoneClient client = builder
            .endpoint(emulator.endpoint())
            .projectId(emulator.projectId())
            .credentials(Credentials.akSk(ACCESS_KEY, SECRET_KEY))
            .retryPolicy(RetryPolicy.builder().maxAttempts(3).backoff(BackoffStrategy.fixed(Duration.ZERO)).build())
            .build()) {
      emulator.injectFault(Fault.serviceUnavailable(Duration.ZERO).on(Operation.PUSH));
      ShareAppsRequest request = ShareAppsRequest.builder().packageName("com.miniteck.miniworld")
          .bucketName("bucket").objectPath("my_apps/test.tar").addServerIds(SERVER_A, SERVER_B).build();

      ShareAppsResponse response = client.shareApps(request);

      check(emulator.pushCount() == 1, "one push applied, got " + emulator.pushCount());
      check(emulator.requests(Operation.PUSH).size() == 2, "503 then the retry: " + emulator.requests(Operation.PUSH));
      check(emulator.requests().stream().allMatch(r -> r.header("Authorization").orElse("")
          .startsWith("SDK-HMAC-SHA256 Access=" + ACCESS_KEY)), "every request signed with the access key");
      check(emulator.requests().stream().allMatch(r -> r.responseStatus() != 401), "every signature accepted");
      check(response.accepted().size() == 1 && response.accepted().get(0).serverId().equals(SERVER_A),
          "server A accepted: " + response.jobs());
      check(response.rejected().size() == 1 && response.rejected().get(0).serverId().equals(SERVER_B),
          "server B rejected: " + response.jobs());
      System.out.println("OK emulator (" + label + "): AK/SK-signed push retried after 503, accepted and rejected "
          + "servers parsed");

      clock.advance(Duration.ofMinutes(1)); // the emulator's jobs take 30 s of its clock
      JobReport report = client.waitForJobs(response, WaitOptions.builder().initialDelay(Duration.ZERO)
          .pollInterval(Duration.ofMillis(10)).maxPollInterval(Duration.ofMillis(10)).timeout(Duration.ofMinutes(1))
          .build());
      check(!report.timedOut(), "the wait finished");
      check(report.succeeded().size() == 1 && report.succeeded().get(0).serverId().equals(SERVER_A),
          "server A's job succeeded: " + report.servers());
      check(report.notStarted().size() == 1 && report.notStarted().get(0).serverId().equals(SERVER_B),
          "server B never started: " + report.servers());
      System.out.println("OK emulator (" + label + "): signed job listing waited for the push's jobs");
    }
  }

  private static void check(boolean condition, String what) {
    if (!condition) {
      throw new AssertionError(what);
    }
  }
}
