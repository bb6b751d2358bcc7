package io.github.cphsdk.reliability;

import static io.github.cphsdk.testsupport.LoopbackServer.ascii;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.github.cphsdk.CloudPhoneClient;
import io.github.cphsdk.CloudPhoneException;
import io.github.cphsdk.CloudPhoneServiceException;
import io.github.cphsdk.CloudPhoneTimeoutException;
import io.github.cphsdk.CloudPhoneTransportException;
import io.github.cphsdk.auth.Credentials;
import io.github.cphsdk.http.HttpTransport;
import io.github.cphsdk.model.ShareAppsRequest;
import io.github.cphsdk.model.ShareAppsResponse;
import io.github.cphsdk.retry.RetryPolicy;
import io.github.cphsdk.testsupport.LoopbackServer;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A hostile or broken server: huge bodies, bodies and heads that trickle in a byte a second, silence, bodies
 * that are not JSON or nest 100,000 deep, HTML with a 200, HTTP/1.0 close-delimited bodies, redirects to
 * another address, a connection closed after every answer, garbage status lines, endless headers, resets.
 * Every call, synchronous and asynchronous, ends with a clear {@link CloudPhoneException} (or, where the answer
 * is in fact fine, a response) within the call timeout plus a margin, and says correctly whether the push may
 * have been applied. Runs once per {@link TransportKind}.
 */
class HostileServerTest {
  static final String PROJECT = "0123456789abcdef0123456789abcdef";
  static final String TOKEN = "hostile-test-token-7f3a9c";
  static final String SERVER_ID = "1234567b8bab40ffb711234cb80d0234";
  static final Duration ATTEMPT_TIMEOUT = Duration.ofMillis(1000);
  static final Duration CALL_TIMEOUT = Duration.ofMillis(1500);
  /**
   * Slack on top of the call timeout, for a loaded 2-core machine (where a 2 s margin once failed a correct
   * call): the bound proves the deadline held, so it only has to be far below what a call would last without it
   * (the trickles here last 70 s and more, the silent server 60 s, the endless answers for ever), not close to
   * the call timeout. Speed is measured in the bench module, never here.
   */
  static final Duration MARGIN = Duration.ofSeconds(15);
  static final String OK_BODY = "{\"request_id\":\"6837531fd3f54550927b930180a706bf\",\"jobs\":[{\"server_id\":\""
      + SERVER_ID + "\",\"job_id\":\"1564567b8bab40f34711234cb80d0123\"}]}";

  final List<AutoCloseable> toClose = new ArrayList<>();
  /** The transport the test made for the last client, or {@code null} when the client made its own. */
  HttpTransport transport;

  @AfterEach
  void closeAll() throws Exception {
    for (int i = toClose.size() - 1; i >= 0; i--) {
      toClose.get(i).close();
    }
  }

  LoopbackServer server(LoopbackServer.Handler handler) throws IOException {
    LoopbackServer s = new LoopbackServer(handler);
    toClose.add(s);
    return s;
  }

  CloudPhoneClient client(TransportKind kind, LoopbackServer server) {
    CloudPhoneClient.Builder b = CloudPhoneClient.builder()
        .endpoint(server.endpoint())
        .projectId(PROJECT)
        .credentials(Credentials.token(TOKEN))
        .retryPolicy(RetryPolicy.defaults())
        .connectTimeout(Duration.ofSeconds(1))
        .attemptTimeout(ATTEMPT_TIMEOUT)
        .callTimeout(CALL_TIMEOUT);
    transport = kind.configure(b, null);
    if (transport != null) {
      toClose.add(transport);
    }
    CloudPhoneClient client = b.build();
    toClose.add(client);
    return client;
  }

  static ShareAppsRequest request() {
    return ShareAppsRequest.builder().packageName("com.example.app").bucketName("bucket").objectPath("apps/app.tar")
        .addServerIds(SERVER_ID).build();
  }

  /** A status line and headers; {@code null} length means none (close-delimited or chunked). */
  static byte[] head(String statusLine, String contentType, Long length, String... extra) {
    StringBuilder sb = new StringBuilder(statusLine).append("\r\n");
    if (contentType != null) {
      sb.append("Content-Type: ").append(contentType).append("\r\n");
    }
    if (length != null) {
      sb.append("Content-Length: ").append(length).append("\r\n");
    }
    for (String h : extra) {
      sb.append(h).append("\r\n");
    }
    return ascii(sb.append("\r\n").toString());
  }

  static LoopbackServer.Handler answer(int status, String contentType, String body, String... extra) {
    byte[] bytes = body.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    return (request, out) -> {
      out.write(head("HTTP/1.1 " + status + " X", contentType, (long) bytes.length, extra));
      out.write(bytes);
      return true;
    };
  }

  /** How one way of calling ended. */
  static final class Outcome {
    final String mode;
    final ShareAppsResponse response;
    final CloudPhoneException failure;
    final long millis;

    Outcome(String mode, ShareAppsResponse response, CloudPhoneException failure, long millis) {
      this.mode = mode;
      this.response = response;
      this.failure = failure;
      this.millis = millis;
    }
  }

  /** Calls synchronously, then asynchronously; each must end within the call timeout plus the margin. */
  static List<Outcome> callBothWays(CloudPhoneClient client) {
    List<Outcome> out = new ArrayList<>();
    long start = System.nanoTime();
    try {
      ShareAppsResponse r = client.shareApps(request());
      out.add(new Outcome("sync", r, null, elapsed(start)));
    } catch (CloudPhoneException e) {
      out.add(new Outcome("sync", null, e, elapsed(start)));
    }
    start = System.nanoTime();
    try {
      ShareAppsResponse r = client.shareAppsAsync(request()).get(CALL_TIMEOUT.plus(MARGIN).toMillis(),
          TimeUnit.MILLISECONDS);
      out.add(new Outcome("async", r, null, elapsed(start)));
    } catch (ExecutionException e) {
      out.add(new Outcome("async", null, assertInstanceOf(CloudPhoneException.class, e.getCause()), elapsed(start)));
    } catch (TimeoutException e) {
      fail("the asynchronous call did not end within the call timeout plus " + MARGIN);
    } catch (InterruptedException e) {
      throw new AssertionError(e);
    }
    for (Outcome o : out) {
      assertTrue(o.millis <= CALL_TIMEOUT.plus(MARGIN).toMillis(), o.mode + " call took " + o.millis + " ms");
    }
    return out;
  }

  /** Both ways fail with {@code type}, the same applied-ness, a message containing every fragment. */
  static <T extends CloudPhoneException> List<T> failsBothWays(CloudPhoneClient client, Class<T> type,
      boolean mayHaveBeenApplied, String... fragments) {
    List<T> out = new ArrayList<>();
    for (Outcome o : callBothWays(client)) {
      assertNotNull(o.failure, o.mode + " call unexpectedly succeeded");
      T e = assertInstanceOf(type, o.failure, o.mode + ": " + o.failure);
      assertEquals(mayHaveBeenApplied, e.mayHaveBeenApplied(), o.mode + ": " + e.getMessage());
      for (String f : fragments) {
        assertTrue(e.getMessage().contains(f), o.mode + " message lacks \"" + f + "\": " + e.getMessage());
      }
      assertTrue(e.getMessage().length() < 2000, "bounded message: " + e.getMessage().length());
      out.add(e);
    }
    return out;
  }

  static long elapsed(long start) {
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
  }

  // ---------------------------------------------------------------- huge answers

  @ParameterizedTest
  @EnumSource(TransportKind.class)
  void oversizedBodyIsCutAtTheLimitAndTheConnectionDropped(TransportKind kind) throws Exception {
    long declared = 256L * 1024 * 1024;
    LoopbackServer server = server((request, out) -> {
      out.write(head("HTTP/1.1 200 OK", "application/json", declared));
      out.write(ascii("{\"request_id\":\"r\",\"jobs\":[],\"padding\":\""));
      byte[] chunk = new byte[64 * 1024];
      Arrays.fill(chunk, (byte) 'x');
      for (long sent = 0; sent < declared; sent += chunk.length) {
        out.write(chunk);
      }
      return false;
    });
    CloudPhoneClient client = client(kind, server);

    failsBothWays(client, CloudPhoneTransportException.class, true, "larger than the limit of 1048576 bytes");

    assertTrue(server.awaitNoOpenConnections(5000), "the client kept the oversized answers' connections open");
    long written = server.bytesWritten.get();
    assertTrue(written < 2 * 48L * 1024 * 1024, "the client read on: the server wrote " + written + " bytes");
  }

  @ParameterizedTest
  @EnumSource(TransportKind.class)
  void endlessChunkedBodyIsCutAtTheLimit(TransportKind kind) throws Exception {
    LoopbackServer server = server((request, out) -> {
      out.write(head("HTTP/1.1 200 OK", "application/json", null, "Transfer-Encoding: chunked"));
      byte[] chunk = new byte[16 * 1024];
      Arrays.fill(chunk, (byte) ' ');
      byte[] size = ascii(Integer.toHexString(chunk.length) + "\r\n");
      while (true) { // until the client goes away
        out.write(size);
        out.write(chunk);
        out.write(ascii("\r\n"));
      }
    });
    CloudPhoneClient client = client(kind, server);

    failsBothWays(client, CloudPhoneTransportException.class, true, "larger than the limit");
    assertTrue(server.awaitNoOpenConnections(5000), "the client kept an endless answer's connection open");
  }

  @ParameterizedTest
  @EnumSource(TransportKind.class)
  void endlessHeadersEndWithinTheDeadline(TransportKind kind) throws Exception {
    java.util.Set<Thread> before = SdkThreads.alive();
    LoopbackServer server = server((request, out) -> {
      out.write(ascii("HTTP/1.1 200 OK\r\n"));
      byte[] line = ascii("X-Padding: " + "a".repeat(1000) + "\r\n");
      while (true) {
        out.write(line);
      }
    });
    CloudPhoneClient client = client(kind, server);

    failsBothWays(client, CloudPhoneTransportException.class, true);
    long written = server.bytesWritten.get();
    assertTrue(written < 2 * 48L * 1024 * 1024, "the client read on: the server wrote " + written + " bytes");
    // java.net.http fails the exchange at its header limit (jdk.http.maxHeaderSize, 384 KiB) but leaves that
    // connection open (JDK behaviour, 17 to 25). Closing the client closes it on JDK 21+; on JDK 17 nothing
    // public can (the selector thread still ends), so the socket stays until the server closes it.
    java.util.Set<Thread> started = SdkThreads.startedSince(before);
    client.close();
    if (transport != null) {
      transport.close(); // a transport given to the client is the application's to close
    }
    assertEquals(List.of(), SdkThreads.awaitEnd(started, 20), "SDK threads after close");
    if (kind == TransportKind.URL_CONNECTION || Runtime.version().feature() >= 21) { // DEFAULT is java.net.http
      assertTrue(server.awaitNoOpenConnections(20_000), "the connections outlived the closed client");
    }
  }

  // ---------------------------------------------------------------- slow and silent

  @ParameterizedTest
  @EnumSource(TransportKind.class)
  void bodyTricklingOneBytePerSecondIsCutByTheDeadline(TransportKind kind) throws Exception {
    LoopbackServer server = server((request, out) -> {
      out.write(head("HTTP/1.1 200 OK", "application/json", (long) OK_BODY.length()));
      out.flush();
      for (byte b : ascii(OK_BODY)) {
        out.write(b);
        out.flush();
        sleep(1000);
      }
      return true;
    });
    CloudPhoneClient client = client(kind, server);

    failsBothWays(client, CloudPhoneTimeoutException.class, true, "may have reached the service");
    if (kind != TransportKind.URL_CONNECTION) {
      assertTrue(server.awaitNoOpenConnections(5000), "the client kept a timed-out connection open");
    }
    // HttpURLConnection (JDK) hands the unread rest of an answer of at most 512 KiB to its Keep-Alive-SocketCleaner
    // thread, which drains it in the background (giving up after 5 s of silence, at most 10 sockets queued)
    // before it reuses the socket: a trickling server keeps that socket a while. See docs/RELIABILITY.md.
  }

  @ParameterizedTest
  @EnumSource(TransportKind.class)
  void statusLineTricklingOneBytePerSecondIsCutByTheDeadline(TransportKind kind) throws Exception {
    LoopbackServer server = server((request, out) -> {
      for (byte b : head("HTTP/1.1 200 OK", "application/json", (long) OK_BODY.length())) {
        out.write(b);
        out.flush();
        sleep(1000);
      }
      return false;
    });
    CloudPhoneClient client = client(kind, server);

    failsBothWays(client, CloudPhoneTimeoutException.class, true);
    assertTrue(server.awaitNoOpenConnections(5000), "the client kept a timed-out connection open");
  }

  /**
   * The same, at a byte every 250 ms, well inside any socket read timeout, so each byte restarts it: only a
   * deadline that holds while the head arrives ends the call (on URLConnection, sync calls once ran for the whole
   * trickle). The head lasts 40 s; the bound, the call timeout plus {@link #MARGIN}, is far below that.
   */
  @ParameterizedTest
  @EnumSource(TransportKind.class)
  void headTricklingFasterThanAnyReadTimeoutIsCutByTheDeadline(TransportKind kind) throws Exception {
    byte[] head = head("HTTP/1.1 200 OK", "application/json", (long) OK_BODY.length(), "X-Padding: " + "p".repeat(100));
    LoopbackServer server = server((request, out) -> {
      for (byte b : head) {
        out.write(b);
        out.flush();
        sleep(250);
      }
      return false;
    });

    failsBothWays(client(kind, server), CloudPhoneTimeoutException.class, true, "may have reached the service");
    assertTrue(server.awaitNoOpenConnections(5000), "the client kept a timed-out connection open");
  }

  @ParameterizedTest
  @EnumSource(TransportKind.class)
  void silentServerIsCutByTheDeadline(TransportKind kind) throws Exception {
    LoopbackServer server = server((request, out) -> {
      sleep(60_000);
      return false;
    });
    CloudPhoneClient client = client(kind, server);

    failsBothWays(client, CloudPhoneTimeoutException.class, true, "no answer");
    assertEquals(2, server.requests.size(), "a read timeout is not retried by default");
  }

  // ---------------------------------------------------------------- bodies that are not what they say

  @ParameterizedTest
  @EnumSource(TransportKind.class)
  void invalidJsonIn200IsAClearFailure(TransportKind kind) throws Exception {
    CloudPhoneClient client = client(kind, server(answer(200, "application/json", "{\"request_id\": oops")));
    failsBothWays(client, CloudPhoneTransportException.class, true, "could not be read");
  }

  @ParameterizedTest
  @EnumSource(TransportKind.class)
  void deeplyNestedJsonIn200IsRefusedWithoutStackOverflow(TransportKind kind) throws Exception {
    String nested = "{\"request_id\":\"r\",\"jobs\":[{\"server_id\":" + "[".repeat(100_000);
    CloudPhoneClient client = client(kind, server(answer(200, "application/json", nested)));
    failsBothWays(client, CloudPhoneTransportException.class, true, "could not be read", "nesting depth");
  }

  @ParameterizedTest
  @EnumSource(TransportKind.class)
  void deeplyNestedJsonErrorBodyStillGivesTheStatus(TransportKind kind) throws Exception {
    String nested = "{\"error\":" + "{\"a\":".repeat(100_000);
    CloudPhoneClient client = client(kind, server(answer(400, "application/json", nested)));
    List<CloudPhoneServiceException> e = failsBothWays(client, CloudPhoneServiceException.class, false, "HTTP 400");
    assertEquals(400, e.get(0).statusCode());
  }

  @ParameterizedTest
  @EnumSource(TransportKind.class)
  void htmlWith200IsAClearFailure(TransportKind kind) throws Exception {
    CloudPhoneClient client = client(kind, server(answer(200, "text/html",
        "<html><body><h1>Welcome to nginx!</h1></body></html>")));
    failsBothWays(client, CloudPhoneTransportException.class, true, "answered 200", "could not be read");
  }

  @ParameterizedTest
  @EnumSource(TransportKind.class)
  void jsonArrayInsteadOfObjectIsAClearFailure(TransportKind kind) throws Exception {
    CloudPhoneClient client = client(kind, server(answer(200, "application/json", "[]")));
    failsBothWays(client, CloudPhoneTransportException.class, true, "expected a JSON object");
  }

  @ParameterizedTest
  @EnumSource(TransportKind.class)
  void garbageStatusLineIsAClearFailure(TransportKind kind) throws Exception {
    LoopbackServer server = server((request, out) -> {
      out.write(ascii("HELLO THERE\r\n\r\n"));
      return false;
    });
    failsBothWays(client(kind, server), CloudPhoneTransportException.class, true);
  }

  @ParameterizedTest
  @EnumSource(TransportKind.class)
  void resetAfterReadingTheRequestMayHaveBeenApplied(TransportKind kind) throws Exception {
    LoopbackServer server = server((request, out) -> {
      throw new java.net.SocketException("reset by the test"); // closes the socket without answering
    });
    List<CloudPhoneTransportException> e = failsBothWays(client(kind, server), CloudPhoneTransportException.class,
        true, "check the jobs");
    assertEquals(1, e.get(0).attempts(), "not retried by default");
  }

  /** Two jobs, the second rejected with a message that has one non-ASCII character, in {@code charset}. */
  static byte[] jobsWithMessage(java.nio.charset.Charset charset) {
    return ("{\"request_id\":\"6837531fd3f54550927b930180a706bf\",\"jobs\":[{\"server_id\":\"" + SERVER_ID
        + "\",\"job_id\":\"1564567b8bab40f34711234cb80d0123\"},{\"server_id\":\"1678567b8bab40f93711234cb80d0764\","
        + "\"error_code\":\"CPS.0016\",\"error_msg\":\"serveur refus\u00e9\"}]}").getBytes(charset);
  }

  static LoopbackServer.Handler answerBytes(String contentType, byte[] body, String... extra) {
    return (request, out) -> {
      out.write(head("HTTP/1.1 200 OK", contentType, (long) body.length, extra));
      out.write(body);
      return true;
    };
  }

  /**
   * A 200 that is not strict UTF-8: one byte that is not UTF-8 (a Latin-1 'é' in a message, no charset
   * declared), or a body in the ISO-8859-1 its Content-Type declares. Every job id of the accepted push is kept;
   * the message is decoded by the declared charset, else the bad byte becomes U+FFFD.
   */
  @ParameterizedTest
  @EnumSource(TransportKind.class)
  void answerThatIsNotStrictUtf8KeepsEveryJob(TransportKind kind) throws Exception {
    byte[] latin1 = jobsWithMessage(java.nio.charset.StandardCharsets.ISO_8859_1);
    CloudPhoneClient badByte = client(kind, server(answerBytes("application/json", latin1)));
    for (Outcome o : callBothWays(badByte)) {
      assertNotNull(o.response, o.mode + ": " + o.failure);
      assertEquals("1564567b8bab40f34711234cb80d0123", o.response.jobs().get(0).jobId().orElseThrow(), o.mode);
      assertEquals("CPS.0016", o.response.jobs().get(1).errorCode().orElseThrow(), o.mode);
      assertEquals("serveur refus\uFFFD", o.response.jobs().get(1).errorMsg().orElseThrow(), o.mode);
    }
    CloudPhoneClient declared = client(kind, server(answerBytes("application/json; charset=ISO-8859-1", latin1)));
    for (Outcome o : callBothWays(declared)) {
      assertNotNull(o.response, o.mode + ": " + o.failure);
      assertEquals("serveur refus\u00e9", o.response.jobs().get(1).errorMsg().orElseThrow(), o.mode);
    }
  }

  /**
   * A gzip-encoded 200 (the SDK asks for no encoding; a proxy may still compress): a clear failure that says the
   * push may have been applied and keeps the request id of the {@code X-Request-Id} header to list its jobs by.
   */
  @ParameterizedTest
  @EnumSource(TransportKind.class)
  void unrequestedContentEncodingIsAClearFailureWithTheRequestId(TransportKind kind) throws Exception {
    java.io.ByteArrayOutputStream gzipped = new java.io.ByteArrayOutputStream();
    try (java.util.zip.GZIPOutputStream gz = new java.util.zip.GZIPOutputStream(gzipped)) {
      gz.write(ascii(OK_BODY));
    }
    CloudPhoneClient client = client(kind, server(answerBytes("application/json", gzipped.toByteArray(),
        "Content-Encoding: gzip", "X-Request-Id: 0a1b2c3d4e5f60718293a4b5c6d7e8f9")));
    failsBothWays(client, CloudPhoneTransportException.class, true, "Content-Encoding \"gzip\"",
        "list the jobs of request id 0a1b2c3d4e5f60718293a4b5c6d7e8f9");
  }

  // ---------------------------------------------------------------- framing

  @ParameterizedTest
  @EnumSource(TransportKind.class)
  void http10CloseDelimitedBodyIsRead(TransportKind kind) throws Exception {
    LoopbackServer server = server((request, out) -> {
      out.write(head("HTTP/1.0 200 OK", "application/json", null));
      out.write(ascii(OK_BODY));
      return false; // the end of the body is the end of the connection
    });
    for (Outcome o : callBothWays(client(kind, server))) {
      assertNotNull(o.response, o.mode + ": " + o.failure);
      assertEquals("1564567b8bab40f34711234cb80d0123", o.response.jobs().get(0).jobId().orElseThrow());
    }
  }

  @ParameterizedTest
  @EnumSource(TransportKind.class)
  void http11CloseDelimitedBodyIsRead(TransportKind kind) throws Exception {
    LoopbackServer server = server((request, out) -> {
      out.write(head("HTTP/1.1 200 OK", "application/json", null, "Connection: close"));
      out.write(ascii(OK_BODY));
      return false;
    });
    for (Outcome o : callBothWays(client(kind, server))) {
      assertNotNull(o.response, o.mode + ": " + o.failure);
    }
  }

  @ParameterizedTest
  @EnumSource(TransportKind.class)
  void closeDelimitedBodyCutShortIsAClearFailure(TransportKind kind) throws Exception {
    // Without a length, only the JSON tells that the body is incomplete: wherever the cut, never a "success".
    for (int cut : new int[] {40, OK_BODY.indexOf("[{") + 1, OK_BODY.indexOf("}]") + 1}) {
      LoopbackServer server = server((request, out) -> {
        out.write(head("HTTP/1.0 200 OK", "application/json", null));
        out.write(ascii(OK_BODY.substring(0, cut)));
        return false;
      });
      failsBothWays(client(kind, server), CloudPhoneTransportException.class, true, "could not be read");
    }
  }

  @ParameterizedTest
  @EnumSource(TransportKind.class)
  void contentLengthLongerThanTheBodyIsAClearFailure(TransportKind kind) throws Exception {
    LoopbackServer server = server((request, out) -> {
      out.write(head("HTTP/1.1 200 OK", "application/json", (long) OK_BODY.length() + 50));
      out.write(ascii(OK_BODY));
      return false; // closes before the promised bytes
    });
    failsBothWays(client(kind, server), CloudPhoneTransportException.class, true);
  }

  @ParameterizedTest
  @EnumSource(TransportKind.class)
  void connectionCloseStormStillServesEveryCall(TransportKind kind) throws Exception {
    LoopbackServer server = server((request, out) -> {
      out.write(head("HTTP/1.1 200 OK", "application/json", (long) OK_BODY.length(), "Connection: close"));
      out.write(ascii(OK_BODY));
      return false;
    });
    CloudPhoneClient client = client(kind, server);
    for (int i = 0; i < 25; i++) {
      for (Outcome o : callBothWays(client)) {
        assertNotNull(o.response, "call " + i + " " + o.mode + ": " + o.failure);
      }
    }
    assertEquals(50, server.requests.size());
    assertEquals(50, server.connections.get(), "one connection per call, none reused after Connection: close");
  }

  // ---------------------------------------------------------------- answers HttpURLConnection misframes

  /**
   * A 103 (or 102) before the 200 that carries the job ids: the jobs are read, or (where the platform's
   * HttpURLConnection takes the interim answer for the final one: Java 17, not 25) the call fails at once saying
   * so and that the push may have been applied, never a wait for the deadline.
   */
  @ParameterizedTest
  @EnumSource(TransportKind.class)
  void interimAnswerBeforeThe200GivesTheJobsOrAClearErrorAtOnce(TransportKind kind) throws Exception {
    byte[] ok = ascii(OK_BODY);
    LoopbackServer server = server((request, out) -> {
      out.write(ascii("HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\n\r\n"));
      out.flush();
      out.write(ascii("HTTP/1.1 102 Processing\r\n\r\n"));
      out.write(head("HTTP/1.1 200 OK", "application/json", (long) ok.length));
      out.write(ok);
      return true;
    });
    CloudPhoneClient client = client(kind, server);
    for (Outcome o : callBothWays(client)) {
      if (o.response != null) {
        assertEquals("1564567b8bab40f34711234cb80d0123", o.response.jobs().get(0).jobId().orElseThrow(), o.mode);
      } else {
        assertTrue(kind == TransportKind.URL_CONNECTION && Runtime.version().feature() < 25,
            o.mode + ": " + o.failure);
        assertTrue(o.failure.getMessage().contains("interim answer 10"), o.mode + ": " + o.failure.getMessage());
        assertTrue(o.failure.mayHaveBeenApplied(), o.mode);
        assertTrue(!(o.failure instanceof CloudPhoneTimeoutException), o.mode + ": a timeout: " + o.failure);
      }
    }
  }

  /** {@code Content-Length: 197, 5}: a clear failure (may have been applied), not a timeout. */
  @ParameterizedTest
  @EnumSource(TransportKind.class)
  void contentLengthListIsAClearFailureNotATimeout(TransportKind kind) throws Exception {
    byte[] ok = ascii(OK_BODY);
    LoopbackServer server = server((request, out) -> {
      out.write(head("HTTP/1.1 200 OK", "application/json", null, "Content-Length: " + ok.length + ", 5"));
      out.write(ok);
      return true; // the connection stays open: reading until it closes would last until the deadline
    });
    for (Outcome o : callBothWays(client(kind, server))) {
      assertNotNull(o.failure, o.mode + " took the answer");
      assertTrue(o.failure instanceof CloudPhoneTransportException, o.mode + ": " + o.failure);
      assertTrue(!(o.failure instanceof CloudPhoneTimeoutException), o.mode + ": a timeout: " + o.failure);
      assertTrue(o.failure.mayHaveBeenApplied(), o.mode);
    }
  }

  /**
   * A 204 to the first push whose server writes more bytes later (here: shaped as an answer, when the next
   * request arrives on that connection): the second push must get its own answer, with its own request id.
   */
  @ParameterizedTest
  @EnumSource(TransportKind.class)
  void noContentWithALateBodyDoesNotAnswerTheNextPush(TransportKind kind) throws Exception {
    ThreadLocal<int[]> onThisConnection = ThreadLocal.withInitial(() -> new int[1]);
    java.util.concurrent.atomic.AtomicInteger pushes = new java.util.concurrent.atomic.AtomicInteger();
    LoopbackServer server = server((request, out) -> {
      int push = pushes.incrementAndGet();
      int n = ++onThisConnection.get()[0]; // LoopbackServer serves each connection on a thread of its own
      if (push == 1) {
        out.write(ascii("HTTP/1.1 204 No Content\r\n\r\n"));
        return true;
      }
      if (n == 2) { // the first push's connection, reused: the late bytes come first
        byte[] leftover = ascii("{\"request_id\":\"leftover\",\"jobs\":[]}");
        out.write(head("HTTP/1.1 200 OK", "application/json", (long) leftover.length));
        out.write(leftover);
      }
      byte[] own = ascii("{\"request_id\":\"push-" + push + "\",\"jobs\":[]}");
      out.write(head("HTTP/1.1 200 OK", "application/json", (long) own.length));
      out.write(own);
      return true;
    });
    CloudPhoneClient client = client(kind, server);

    CloudPhoneException first = org.junit.jupiter.api.Assertions.assertThrows(CloudPhoneException.class,
        () -> client.shareApps(request()));
    ShareAppsResponse second = client.shareApps(request());

    assertTrue(first.mayHaveBeenApplied(), "a 204 to a push: " + first.getMessage());
    assertEquals("push-2", second.requestId(), "the second push took another answer as its own");
    assertEquals(2, server.requests.size());
  }

  // ---------------------------------------------------------------- redirects

  @ParameterizedTest
  @EnumSource(TransportKind.class)
  void redirectsAreNeverFollowedAndTheOtherHostReceivesNothing(TransportKind kind) throws Exception {
    LoopbackServer elsewhere = server(answer(200, "application/json", OK_BODY));
    for (int status : new int[] {301, 302, 303, 307, 308}) {
      LoopbackServer server = server((request, out) -> {
        out.write(head("HTTP/1.1 " + status + " Moved", "text/html", 0L,
            "Location: " + elsewhere.endpoint() + "/v1/" + PROJECT + "/cloud-phone/phones/share-apps"));
        return true;
      });
      List<CloudPhoneServiceException> e = failsBothWays(client(kind, server), CloudPhoneServiceException.class, false,
          "HTTP " + status, "Redirects are never followed", "127.0.0.1");
      assertEquals(status, e.get(0).statusCode());
      assertEquals(1, e.get(0).attempts());
      assertEquals(TOKEN, server.requests.get(0).headers.get("x-auth-token"), "sanity: the token went to the endpoint");
    }
    assertEquals(0, elsewhere.connections.get(), "the redirect target was contacted");
  }

  /** The server's own pace (a trickle, silence): real time by nature. */
  private static void sleep(long millis) throws InterruptedException {
    Thread.sleep(millis);
  }
}
