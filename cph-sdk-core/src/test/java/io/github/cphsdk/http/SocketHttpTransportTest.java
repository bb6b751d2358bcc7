package io.github.cphsdk.http;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedOutputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.ProxySelector;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SNIServerName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link SocketHttpTransport} byte by byte: what it writes, how it frames and bounds answers, when it keeps a
 * connection, how it classifies failures, and how it goes through proxies. The servers are hand-written on
 * loopback sockets ({@link Wire}), so every byte of every answer is the test's and the test sees every request
 * and every connection the client opens or closes.
 */
class SocketHttpTransportTest {
  private static final String PATH = "/v1/0123456789abcdef0123456789abcdef/cloud-phone/phones/share-apps";
  private static final byte[] JSON = "{\"package_name\":\"com.example.app\",\"server_ids\":[\"a\"]}".getBytes(UTF_8);
  private static final String OK = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
  private static final InetAddress LOOPBACK = loopback();

  @TempDir
  static Path dir;
  private static KeyStore certificate;

  private final List<AutoCloseable> toClose = new ArrayList<>();
  private SocketHttpTransport transport;

  @BeforeEach
  void start() {
    transport = new SocketHttpTransport();
  }

  @AfterEach
  void stop() throws Exception {
    transport.close();
    for (int i = toClose.size() - 1; i >= 0; i--) {
      toClose.get(i).close();
    }
  }

  // ------------------------------------------------------------------ the request on the wire

  @Test
  void postWritesTheRequestLineTheGivenHeadersInOrderHostContentLengthAndTheBody() throws Exception {
    Wire w = wire(always(OK));

    HttpResponse response = transport.execute(HttpRequest.builder("POST", w.uri(PATH))
        .header("Content-Type", "application/json")
        .header("X-Auth-Token", "token-value")
        .header("x-multi", "one")
        .header("X-Multi", "two")
        .body(JSON)
        .build());

    assertEquals(200, response.statusCode());
    assertEquals("ok", response.bodyAsString());
    Req r = w.take();
    assertEquals("POST " + PATH + " HTTP/1.1", r.line);
    assertEquals(List.of("Host: 127.0.0.1:" + w.port()), r.lines("Host"));
    assertEquals(List.of("Content-Length: " + JSON.length), r.lines("Content-Length"));
    List<String> given = new ArrayList<>(r.headerLines);
    given.removeAll(List.of("Host: 127.0.0.1:" + w.port(), "Content-Length: " + JSON.length));
    assertEquals(List.of("Content-Type: application/json", "X-Auth-Token: token-value", "x-multi: one",
        "X-Multi: two"), given, "exactly the given headers, in order, names as given");
    assertArrayEquals(JSON, r.body);
  }

  @Test
  void headersTheTransportWritesItselfAreNeverTakenFromTheRequest() throws Exception {
    Wire w = wire(always(OK));

    transport.execute(HttpRequest.builder("POST", w.uri("/x"))
        .header("Host", "evil.example")
        .header("Content-Length", "999")
        .header("Connection", "close")
        .header("Transfer-Encoding", "chunked")
        .header("Expect", "100-continue")
        .header("Upgrade", "h2c")
        .header("Keep-Alive", "timeout=5")
        .header("TE", "trailers")
        .header("Trailer", "X-Checksum")
        .header("Proxy-Connection", "keep-alive")
        .header("X-Kept", "yes")
        .body(JSON)
        .build());
    transport.execute(get(w, "/y"));

    Req r = w.take();
    List<String> lines = new ArrayList<>(r.headerLines);
    Collections.sort(lines);
    assertEquals(List.of("Content-Length: " + JSON.length, "Host: 127.0.0.1:" + w.port(), "X-Kept: yes"), lines);
    assertArrayEquals(JSON, r.body);
    assertEquals(0, w.take().connection, "a caller's Connection: close does not reach the wire");
  }

  @Test
  void contentLengthIsSentForEveryBodyAndForEmptyPostPutAndPatchOnly() throws Exception {
    Wire w = wire(always(OK));
    String[] methods = {"POST", "PUT", "PATCH", "GET", "DELETE"};

    for (String m : methods) {
      transport.execute(HttpRequest.builder(m, w.uri("/empty")).timeout(Duration.ofSeconds(10)).build());
    }
    transport.execute(HttpRequest.builder("DELETE", w.uri("/body")).body(JSON).build());
    transport.execute(HttpRequest.builder("GET", w.uri("/body")).body(new byte[] {1, 2, 3}).build());

    for (String m : methods) {
      Req r = w.take();
      assertEquals(m + " /empty HTTP/1.1", r.line);
      boolean zero = m.startsWith("P");
      assertEquals(zero ? List.of("Content-Length: 0") : List.of(), r.lines("Content-Length"), m);
      assertEquals(0, r.body.length);
    }
    Req delete = w.take();
    assertEquals(List.of("Content-Length: " + JSON.length), delete.lines("Content-Length"));
    assertArrayEquals(JSON, delete.body);
    assertArrayEquals(new byte[] {1, 2, 3}, w.take().body);
  }

  @Test
  void pathAndQueryAreSentRawAsEncoded() throws Exception {
    Wire w = wire(always(OK));
    String target = "/a%2Fb/c%20d;p=1?x=%20y&z=a+b&empty=&flag&slash=/&q=%E4%B8%AD&amp=%26";

    transport.execute(get(w, target));
    transport.execute(HttpRequest.builder("GET", URI.create("http://127.0.0.1:" + w.port())).build());
    transport.execute(HttpRequest.builder("GET", URI.create("http://127.0.0.1:" + w.port() + "?only=query")).build());

    assertEquals("GET " + target + " HTTP/1.1", w.take().line);
    assertEquals("GET / HTTP/1.1", w.take().line);
    assertEquals("GET /?only=query HTTP/1.1", w.take().line);
  }

  @Test
  void charactersBeyondAsciiInThePathAreSentPercentEncodedAsUtf8() throws Exception {
    Wire w = wire(always(OK));

    // URI keeps such characters as they are in its raw form; a byte cast would send U+4E2D as '-'.
    transport.execute(get(w, "/caf\u00e9/\u4e2d?q=\u00fc"));

    assertEquals("GET /caf%C3%A9/%E4%B8%AD?q=%C3%BC HTTP/1.1", w.take().line);
  }

  @Test
  void hostHeaderLeavesOutOnlyTheSchemesDefaultPort() {
    assertEquals("cph.example.com", SocketHttpTransport.hostHeader(URI.create("http://cph.example.com/x")));
    assertEquals("cph.example.com", SocketHttpTransport.hostHeader(URI.create("http://cph.example.com:80/x")));
    assertEquals("cph.example.com", SocketHttpTransport.hostHeader(URI.create("https://cph.example.com/x")));
    assertEquals("cph.example.com", SocketHttpTransport.hostHeader(URI.create("https://cph.example.com:443/")));
    assertEquals("cph.example.com:80", SocketHttpTransport.hostHeader(URI.create("https://cph.example.com:80/")));
    assertEquals("cph.example.com:443", SocketHttpTransport.hostHeader(URI.create("http://cph.example.com:443/")));
    assertEquals("CPH.Example.com:8443", SocketHttpTransport.hostHeader(URI.create("HTTPS://CPH.Example.com:8443")));
    assertEquals("[::1]:8443", SocketHttpTransport.hostHeader(URI.create("https://[::1]:8443/x")));
    assertEquals("[::1]", SocketHttpTransport.hostHeader(URI.create("http://[::1]:80/x")));
  }

  @Test
  void aBodyLargerThanOneWriteArrivesWholeAndTheNextRequestIsIntact() throws Exception {
    Wire w = wire(always(OK));
    byte[] big = new byte[300 * 1024];
    new Random(7).nextBytes(big);

    transport.execute(HttpRequest.builder("PUT", w.uri("/big")).body(big).build());
    transport.execute(HttpRequest.builder("POST", w.uri("/small")).body(JSON).build());

    Req first = w.take();
    assertEquals(List.of("Content-Length: " + big.length), first.lines("Content-Length"));
    assertArrayEquals(big, first.body);
    Req second = w.take();
    assertEquals("POST /small HTTP/1.1", second.line);
    assertArrayEquals(JSON, second.body);
    assertEquals(0, second.connection);
  }

  // ------------------------------------------------------------------ keep-alive

  @Test
  void sequentialExchangesShareOneConnection() throws Exception {
    Wire w = wire(sequence(OK,
        "HTTP/1.1 400 Bad Request\r\nContent-Type: application/json\r\nContent-Length: 14\r\n\r\n{\"error\":\"x\"}\n",
        "HTTP/1.1 503 Service Unavailable\r\nRetry-After: 3\r\nContent-Length: 4\r\n\r\nbusy",
        OK, OK));

    HttpResponse a = transport.execute(post(w));
    HttpResponse b = transport.execute(post(w));
    HttpResponse c = transport.execute(get(w, "/jobs"));
    transport.execute(HttpRequest.builder("DELETE", w.uri(PATH)).body(JSON).build());
    transport.execute(get(w, "/last"));

    assertEquals("ok", a.bodyAsString());
    assertEquals(400, b.statusCode());
    assertEquals("{\"error\":\"x\"}\n", b.bodyAsString());
    assertEquals(503, c.statusCode());
    assertEquals("3", c.header("retry-after").orElseThrow());
    for (int i = 0; i < 5; i++) {
      assertEquals(0, w.take().connection, "exchange " + i);
    }
    assertEquals(1, w.connections.get());
  }

  @Test
  void anAnswerWithConnectionCloseIsNotReusedAndTheClientClosesIt() throws Exception {
    Wire w = wire(sequence("HTTP/1.1 200 OK\r\nConnection: keep-alive, Close\r\nContent-Length: 2\r\n\r\nok", OK));

    transport.execute(get(w, "/1"));
    transport.execute(get(w, "/2"));

    assertEquals(0, w.take().connection);
    assertEquals(1, w.take().connection);
    assertEquals(0, w.awaitClosedByClient());
  }

  @Test
  void anHttp10AnswerIsReusedOnlyWithKeepAlive() throws Exception {
    Wire w = wire(sequence(
        "HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\nContent-Length: 2\r\n\r\nok",
        "HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok",
        OK));

    for (int i = 0; i < 3; i++) {
      assertEquals("ok", transport.execute(get(w, "/" + i)).bodyAsString());
    }

    assertEquals(0, w.take().connection);
    assertEquals(0, w.take().connection, "HTTP/1.0 with Connection: keep-alive is kept");
    assertEquals(1, w.take().connection, "HTTP/1.0 without it is not");
    assertEquals(0, w.awaitClosedByClient());
  }

  @Test
  void bytesAfterTheAnswerAreNeverTakenForTheNextAnswer() throws Exception {
    // The first answer comes with a second, unasked one in the same write.
    Wire w = wire(sequence(OK + "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nstale",
        "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nfresh"));

    assertEquals("ok", transport.execute(get(w, "/1")).bodyAsString());
    assertEquals("fresh", transport.execute(get(w, "/2")).bodyAsString());

    assertEquals(0, w.take().connection);
    assertEquals(1, w.take().connection);
  }

  // ------------------------------------------------------------------ framing

  @Test
  void chunkedBodiesAreDecodedWithExtensionsAndTrailersAndKeepTheConnection() throws Exception {
    Wire w = wire((r, s, out) -> {
      if (r.line.startsWith("GET /1 ")) {
        out.write(ascii("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
            + "5;ext=1\r\nhello\r\n6 ; name=\"v\"\r\n world\r\nA\r\n, 10 bytes\r\n"
            + "0\r\nX-Trailer: t\r\nX-More: u\r\n\r\n"));
      } else if (r.line.startsWith("GET /2 ")) {
        // the same framing in pieces, each flushed: lines and chunks split across reads
        for (String piece : new String[] {"HTTP/1.1 200 OK\r", "\nTransfer-Enc", "oding: gzip, chunked\r\n\r\n3",
            "\r\nabc\r", "\n", "0\r\n", "\r\n"}) {
          out.write(ascii(piece));
          out.flush();
        }
      } else {
        out.write(ascii(OK));
      }
      return true;
    });

    HttpResponse first = transport.execute(get(w, "/1"));
    HttpResponse second = transport.execute(get(w, "/2"));
    HttpResponse third = transport.execute(get(w, "/3"));

    assertEquals("hello world, 10 bytes", first.bodyAsString());
    assertFalse(first.bodyTruncated());
    assertTrue(first.header("X-Trailer").isEmpty(), "trailers are read and dropped");
    assertEquals("abc", second.bodyAsString(), "raw bytes: the transport does not decode gzip");
    assertEquals("ok", third.bodyAsString());
    for (int i = 0; i < 3; i++) {
      assertEquals(0, w.take().connection);
    }
  }

  @Test
  void anAnswerWithoutLengthIsReadUntilTheServerClosesAndTheConnectionIsNotReused() throws Exception {
    Wire w = wire((r, s, out) -> {
      if (r.connection == 0) {
        out.write(ascii("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil the very end"));
        return false;
      }
      out.write(ascii(OK));
      return true;
    });

    HttpResponse first = transport.execute(get(w, "/1"));
    HttpResponse second = transport.execute(get(w, "/2"));

    assertEquals("until the very end", first.bodyAsString());
    assertFalse(first.bodyTruncated());
    assertEquals("ok", second.bodyAsString());
    assertEquals(0, w.take().connection);
    assertEquals(1, w.take().connection);
  }

  @Test
  void aTransferCodingOtherThanChunkedLastIsReadUntilClose() throws Exception {
    HttpResponse r = answerTo("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, gzip\r\nContent-Length: 3\r\n\r\n"
        + "3\r\nabc\r\n0\r\n\r\n");

    assertEquals("3\r\nabc\r\n0\r\n\r\n", r.bodyAsString());
  }

  @Test
  void interimAnswersAreSkipped() throws Exception {
    Wire w = wire(sequence("HTTP/1.1 100 Continue\r\n\r\n"
        + "HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\n\r\n"
        + "HTTP/1.1 201 Created\r\nContent-Length: 5\r\n\r\nfinal", OK));

    HttpResponse r = transport.execute(post(w));
    transport.execute(get(w, "/next"));

    assertEquals(201, r.statusCode());
    assertEquals("final", r.bodyAsString());
    assertTrue(r.header("Link").isEmpty(), "the headers are the final answer's");
    assertEquals(0, w.take().connection);
    assertEquals(0, w.take().connection);
  }

  @Test
  void answersWithoutBodyAreNotReadPastTheirHead() throws Exception {
    // Were a body read for any of them, the next answer's bytes would be taken for it (or the read would hang).
    Wire w = wire(sequence(
        "HTTP/1.1 204 No Content\r\n\r\n",
        "HTTP/1.1 304 Not Modified\r\nContent-Length: 100\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n",
        OK));

    HttpResponse noContent = transport.execute(post(w));
    HttpResponse notModified = transport.execute(get(w, "/cached"));
    HttpResponse head = transport.execute(HttpRequest.builder("HEAD", w.uri("/h")).build());
    HttpResponse chunkedHead = transport.execute(HttpRequest.builder("HEAD", w.uri("/h")).build());
    HttpResponse next = transport.execute(get(w, "/next"));

    assertEquals(204, noContent.statusCode());
    assertEquals(304, notModified.statusCode());
    assertEquals("100", head.header("Content-Length").orElseThrow());
    for (HttpResponse r : List.of(noContent, notModified, head, chunkedHead)) {
      assertEquals(0, r.bodyLength());
      assertFalse(r.bodyTruncated());
    }
    assertEquals("ok", next.bodyAsString());
    for (int i = 0; i < 5; i++) {
      assertEquals(0, w.take().connection);
    }
  }

  @Test
  void switchingProtocolsIsRefused() throws Exception {
    HttpTransportException e = refused("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
        + "Connection: Upgrade\r\n\r\n");

    assertTrue(e.getMessage().contains("101"), e.getMessage());
  }

  @Test
  void conflictingContentLengthsAreRefusedAndRepeatedEqualOnesAccepted() throws Exception {
    HttpTransportException e = refused("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!");
    HttpTransportException list = refused("HTTP/1.1 200 OK\r\nContent-Length: 5, 6\r\n\r\nhello!");
    HttpResponse same = answerTo("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 5, 5\r\n\r\nhello");

    assertTrue(e.getMessage().contains("conflicting Content-Length"), e.getMessage());
    assertTrue(list.getMessage().contains("conflicting Content-Length"), list.getMessage());
    assertEquals("hello", same.bodyAsString());
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "HTTP/1.1 2OO OK\r\n\r\n",
      "HTTP/2 200 OK\r\n\r\n",
      "HTTP/1.1 200OK\r\n\r\n",
      "HTTP/1.1 099 Low\r\n\r\n",
      "SSH-2.0-OpenSSH_9.6\r\n\r\n",
      "HTTP/1.1 200 OK\r\nNo colon here\r\nContent-Length: 0\r\n\r\n",
      "HTTP/1.1 200 OK\r\n: no name\r\nContent-Length: 0\r\n\r\n",
      "HTTP/1.1 200 OK\r\nX-Name : space before the colon\r\nContent-Length: 0\r\n\r\n",
      "HTTP/1.1 200 OK\r\nX-A: 1\r\n folded\r\nContent-Length: 0\r\n\r\n",
      "HTTP/1.1 200 OK\r\nX-A: a\u0001b\r\nContent-Length: 0\r\n\r\n",
      "HTTP/1.1 200 OK\r\nX-A: a\rb\r\nContent-Length: 0\r\n\r\n",
      "HTTP/1.1 200 OK\r\nContent-Length: abc\r\n\r\n",
      "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n",
      "HTTP/1.1 200 OK\r\nContent-Length: \r\n\r\n",
      "HTTP/1.1 200 OK\r\nContent-Length: 1234567890123456789\r\n\r\n",
      "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort",
      "HTTP/1.1 200 OK\r\nContent-",
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n",
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n-1\r\n\r\n",
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n;ext\r\n\r\n",
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1000000000000000\r\n",
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhelloX\r\n0\r\n\r\n",
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhel",
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n",
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nX-Trailer",
      "HTTP/1.1 100 Continue\r\n\r\n",
  })
  void malformedOrCutAnswersFailAfterSend(String answer) throws Exception {
    HttpTransportException e = refused(answer);

    assertInstanceOf(Http1Connection.Malformed.class, e.getCause(), e.toString());
  }

  @Test
  void answerHeadsAreBoundedPerLineInAllAndInFields() throws Exception {
    String longValue = "a".repeat(Http1Connection.MAX_LINE);
    String field = "X-Field: 0123456789\r\n";

    HttpTransportException line = refused("HTTP/1.1 200 OK\r\nX-Big: " + longValue + "\r\n\r\n");
    HttpTransportException head = refused("HTTP/1.1 200 OK\r\n"
        + ("X-Big: " + "b".repeat(15_000) + "\r\n").repeat(5) + "Content-Length: 0\r\n\r\n");
    HttpTransportException fields = refused("HTTP/1.1 200 OK\r\n"
        + field.repeat(Http1Connection.MAX_HEADERS) + "Content-Length: 0\r\n\r\n");
    HttpTransportException status = refused("HTTP/1.1 200 " + longValue + "\r\n\r\n");
    HttpTransportException trailers = refused("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n"
        + field.repeat(Http1Connection.MAX_HEADERS + 1) + "\r\n");
    HttpTransportException chunkLine = refused("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1;"
        + longValue + "\r\nx\r\n0\r\n\r\n");
    HttpTransportException interim = refused("HTTP/1.1 100 Continue\r\n\r\n".repeat(17) + OK);

    assertTrue(line.getMessage().contains(Http1Connection.MAX_LINE + " bytes per line"), line.getMessage());
    assertTrue(head.getMessage().contains(Http1Connection.MAX_HEAD + " bytes per head"), head.getMessage());
    assertTrue(fields.getMessage().contains("more than " + Http1Connection.MAX_HEADERS), fields.getMessage());
    assertTrue(status.getMessage().contains("bytes per line"), status.getMessage());
    assertTrue(trailers.getMessage().contains("more than " + Http1Connection.MAX_HEADERS), trailers.getMessage());
    assertTrue(chunkLine.getMessage().contains("bytes per line"), chunkLine.getMessage());
    assertTrue(interim.getMessage().contains("interim"), interim.getMessage());
  }

  @Test
  void answerHeadsJustWithinTheBoundsAreAccepted() throws Exception {
    String field = "X-Field: 0123456789\r\n";
    // a line of MAX_LINE bytes counting its CR; the head just under MAX_HEAD; MAX_HEADERS fields; 16 interim answers
    String longLine = "X-Big: " + "a".repeat(Http1Connection.MAX_LINE - "X-Big: ".length() - 1);

    HttpResponse line = answerTo("HTTP/1.1 200 OK\r\n" + longLine + "\r\nContent-Length: 2\r\n\r\nok");
    HttpResponse fields = answerTo("HTTP/1.1 200 OK\r\n" + field.repeat(Http1Connection.MAX_HEADERS - 1)
        + "Content-Length: 2\r\n\r\nok");
    String start = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n";
    int room = Http1Connection.MAX_HEAD - start.length() - 2;
    StringBuilder big = new StringBuilder(start);
    while (room >= 8) {
      int value = Math.min(10_000, room - "X-B: \r\n".length());
      big.append("X-B: ").append("b".repeat(value)).append("\r\n");
      room -= value + "X-B: \r\n".length();
    }
    HttpResponse head = answerTo(big.append("\r\nok").toString());
    HttpResponse interim = answerTo("HTTP/1.1 100 Continue\r\n\r\n".repeat(16) + OK);

    assertEquals(Http1Connection.MAX_LINE - "X-Big: ".length() - 1,
        line.header("X-Big").orElseThrow().length());
    assertEquals(Http1Connection.MAX_HEADERS - 1, fields.headers().get("X-Field").size());
    assertEquals("ok", head.bodyAsString());
    assertEquals("ok", interim.bodyAsString());
  }

  // ------------------------------------------------------------------ bounded bodies

  @Test
  void aContentLengthBodyPastTheLimitIsTruncatedAndItsConnectionClosed() throws Exception {
    String big = "0123456789".repeat(100);
    CountDownLatch answered = new CountDownLatch(1);
    Wire w = wire(withheld("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n" + big.substring(0, 25),
        big.substring(25), answered));

    HttpResponse cut = transport.execute(post(w).toBuilder().maxResponseBytes(25).build());
    answered.countDown();
    HttpResponse next = transport.execute(post(w));

    assertTrue(cut.bodyTruncated());
    assertEquals(big.substring(0, 25), cut.bodyAsString());
    assertEquals("ok", next.bodyAsString());
    assertEquals(0, w.take().connection);
    assertEquals(1, w.take().connection, "the rest of the body is never read: its connection is not reused");
    assertEquals(0, w.awaitClosedByClient());
  }

  @Test
  void aChunkedBodyPastTheLimitIsTruncatedAndItsConnectionClosed() throws Exception {
    CountDownLatch answered = new CountDownLatch(1);
    Wire w = wire(withheld("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
        + "a\r\naaaaaaaaaa\r\n".repeat(2) + "a\r\naaaaa", "aaaaa\r\n" + "a\r\naaaaaaaaaa\r\n".repeat(2) + "0\r\n\r\n",
        answered));

    HttpResponse cut = transport.execute(get(w, "/1").toBuilder().maxResponseBytes(25).build());
    answered.countDown();
    transport.execute(get(w, "/2"));

    assertTrue(cut.bodyTruncated());
    assertEquals("a".repeat(25), cut.bodyAsString());
    assertEquals(0, w.take().connection);
    assertEquals(1, w.take().connection);
    assertEquals(0, w.awaitClosedByClient());
  }

  @Test
  void aBodyOfExactlyTheLimitIsCompleteAndKeepsItsConnection() throws Exception {
    Wire w = wire(sequence("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nexactly10!",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nexac\r\n6\r\ntly10!\r\n0\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", OK));

    HttpResponse fixed = transport.execute(get(w, "/1").toBuilder().maxResponseBytes(10).build());
    HttpResponse chunked = transport.execute(get(w, "/2").toBuilder().maxResponseBytes(10).build());
    HttpResponse empty = transport.execute(get(w, "/3").toBuilder().maxResponseBytes(0).build());
    transport.execute(get(w, "/4"));

    for (HttpResponse r : List.of(fixed, chunked)) {
      assertFalse(r.bodyTruncated());
      assertEquals("exactly10!", r.bodyAsString());
    }
    assertFalse(empty.bodyTruncated());
    for (int i = 0; i < 4; i++) {
      assertEquals(0, w.take().connection);
    }
  }

  @Test
  void aBodyUntilCloseIsTruncatedOnlyWhenItGoesOnPastTheLimit() throws Exception {
    HttpResponse exact = answerTo("HTTP/1.1 200 OK\r\n\r\nexactly10!", 10);
    HttpResponse longer = answerTo("HTTP/1.1 200 OK\r\n\r\nexactly10!+", 10);
    HttpResponse none = answerTo("HTTP/1.1 200 OK\r\n\r\nx", 0);

    assertFalse(exact.bodyTruncated());
    assertEquals("exactly10!", exact.bodyAsString());
    assertTrue(longer.bodyTruncated());
    assertEquals("exactly10!", longer.bodyAsString());
    assertTrue(none.bodyTruncated());
    assertEquals(0, none.bodyLength());
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "Content-Length: 268435456\r\n\r\n0123456789|10 of its 268435456",
      "Transfer-Encoding: chunked\r\n\r\nFFFFFFF\r\n0123456789|inside a chunk"})
  void aClaimedLengthIsNotAllocatedBeforeItsBytesArrive(String answerAndError) throws Exception {
    // The limit is the caller's ("keep everything"); the server claims 256 MiB (as a Content-Length or as one
    // chunk) and sends 10 bytes. The socket here is a stand-in that shows which arrays the connection reads into.
    String[] parts = answerAndError.split("\\|");
    LargestArraySeen in = new LargestArraySeen(ascii("HTTP/1.1 200 OK\r\n" + parts[0]));
    Http1Connection c = new Http1Connection("http", "h", 80, false, new StreamSocket(in), new StreamSocket(in));

    Http1Connection.Malformed e = assertThrows(Http1Connection.Malformed.class,
        () -> c.readAnswer(Long.MAX_VALUE, false));

    assertTrue(e.getMessage().contains(parts[1]), e.getMessage());
    assertTrue(in.largest <= 1 << 20, "read into an array of " + in.largest + " bytes for a 10-byte answer");
  }

  // ------------------------------------------------------------------ the pool and time

  @Test
  void aConnectionIdleOverASecondIsCheckedAndOneTheServerClosedIsReplaced() throws Exception {
    AtomicLong now = new AtomicLong();
    SocketHttpTransport clocked = track(SocketHttpTransport.withClock(SocketHttpTransport.builder(), now::get));
    Wire w = wire((r, s, out) -> {
      out.write(ascii(OK));
      return r.connection > 0; // closes the first connection after its answer, without saying so
    });

    clocked.execute(get(w, "/1"));
    assertEquals(0, w.awaitClosedByServer());
    now.addAndGet(Duration.ofMillis(1001).toNanos());
    HttpResponse second = clocked.execute(get(w, "/2"));

    assertEquals("ok", second.bodyAsString());
    assertEquals(0, w.take().connection);
    assertEquals(1, w.take().connection);
  }

  @Test
  void aConnectionIdleUnderASecondIsNotCheckedAndItsCloseFailsTheExchangeWithoutResending() throws Exception {
    AtomicLong now = new AtomicLong();
    SocketHttpTransport clocked = track(SocketHttpTransport.withClock(SocketHttpTransport.builder(), now::get));
    Wire w = wire((r, s, out) -> {
      out.write(ascii(OK));
      return r.connection > 0;
    });

    clocked.execute(post(w));
    assertEquals(0, w.awaitClosedByServer());
    now.addAndGet(Duration.ofMillis(999).toNanos());
    HttpTransportException e = assertThrows(HttpTransportException.class, () -> clocked.execute(post(w)));

    assertEquals(HttpTransportException.Kind.FAILED_AFTER_SEND, e.kind(), "it may have been applied");
    assertEquals(1, w.connections.get(), "not resent on a fresh connection");
  }

  @Test
  void aHealthyConnectionIdleOverASecondIsReused() throws Exception {
    AtomicLong now = new AtomicLong();
    SocketHttpTransport clocked = track(SocketHttpTransport.withClock(SocketHttpTransport.builder(), now::get));
    Wire w = wire(always(OK));

    clocked.execute(get(w, "/1"));
    now.addAndGet(Duration.ofSeconds(29).toNanos());
    clocked.execute(get(w, "/2"));

    assertEquals(0, w.take().connection);
    assertEquals(0, w.take().connection);
  }

  @Test
  void aConnectionIdleOver30SecondsIsClosedNotReused() throws Exception {
    AtomicLong now = new AtomicLong();
    SocketHttpTransport clocked = track(SocketHttpTransport.withClock(SocketHttpTransport.builder(), now::get));
    Wire w = wire(always(OK));

    clocked.execute(get(w, "/1"));
    now.addAndGet(Duration.ofMillis(30_001).toNanos());
    clocked.execute(get(w, "/2"));

    assertEquals(0, w.take().connection);
    assertEquals(1, w.take().connection, "the server kept it open, yet it is too old to use");
    assertEquals(0, w.awaitClosedByClient());
  }

  @Test
  void atMost64IdleConnectionsAreKeptTheLeastRecentlyUsedGoesFirst() throws Exception {
    List<Wire> servers = new ArrayList<>();
    for (int i = 0; i <= SocketHttpTransport.MAX_IDLE; i++) {
      servers.add(wire(always(OK)));
    }

    for (Wire w : servers) {
      transport.execute(get(w, "/"));
    }
    assertEquals(0, servers.get(0).awaitClosedByClient(), "the 65th idle connection pushes out the oldest");
    for (Wire w : servers.subList(1, servers.size())) {
      transport.execute(get(w, "/again"));
    }
    transport.execute(get(servers.get(0), "/again"));

    for (Wire w : servers.subList(1, servers.size())) {
      assertEquals(0, w.take().connection);
      assertEquals(0, w.take().connection, "kept idle");
    }
    assertEquals(0, servers.get(0).take().connection);
    assertEquals(1, servers.get(0).take().connection);
  }

  // ------------------------------------------------------------------ failures and their kind

  @Test
  void aRefusedConnectionIsConnectFailed() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, LOOPBACK)) {
      port = s.getLocalPort();
    }

    HttpTransportException e = assertThrows(HttpTransportException.class, () -> transport.execute(
        HttpRequest.builder("POST", URI.create("http://127.0.0.1:" + port + "/x")).body(JSON).build()));

    assertEquals(HttpTransportException.Kind.CONNECT_FAILED, e.kind());
    assertFalse(e.kind().requestMayHaveBeenSent());
  }

  @Test
  void noAnswerWithinTheTimeoutIsResponseTimeoutAndTheConnectionIsClosed() throws Exception {
    Wire w = wire((r, s, out) -> {
      if (r.connection > 0) {
        out.write(ascii(OK));
      }
      return true; // the first request never gets an answer
    });

    HttpTransportException e = assertThrows(HttpTransportException.class,
        () -> transport.execute(post(w).toBuilder().timeout(Duration.ofMillis(150)).build()));
    HttpResponse next = transport.execute(post(w));

    assertEquals(HttpTransportException.Kind.RESPONSE_TIMEOUT, e.kind());
    assertTrue(e.kind().requestMayHaveBeenSent());
    assertEquals(0, w.awaitClosedByClient());
    assertEquals("ok", next.bodyAsString());
    assertEquals(0, w.take().connection);
    assertEquals(1, w.take().connection);
  }

  @Test
  void theEndOfTheConnectionBeforeAnyAnswerIsFailedAfterSend() throws Exception {
    Wire w = wire((r, s, out) -> false);

    HttpTransportException e = assertThrows(HttpTransportException.class, () -> transport.execute(post(w)));

    assertEquals(HttpTransportException.Kind.FAILED_AFTER_SEND, e.kind());
    assertTrue(e.getMessage().contains("closed the connection before answering"), e.getMessage());
    assertInstanceOf(EOFException.class, e.getCause());
    assertArrayEquals(JSON, w.take().body);
    assertEquals(1, w.connections.get(), "never resent");
  }

  @Test
  void cancellingAnAsyncExchangeClosesItsConnection() throws Exception {
    Wire w = wire((r, s, out) -> true); // never answers
    CompletableFuture<HttpResponse> future = transport.executeAsync(
        post(w).toBuilder().timeout(Duration.ofMinutes(5)).build());
    w.take();

    assertTrue(future.cancel(true));

    assertTrue(future.isCancelled());
    assertThrows(CancellationException.class, future::join);
    assertEquals(0, w.awaitClosedByClient(), "closed long before the 5-minute timeout");
  }

  @Test
  void closeFailsTheExchangesInFlightAndLaterOnesAndClosesIdleConnections() throws Exception {
    Wire idle = wire(always(OK));
    Wire hanging = wire((r, s, out) -> true);
    transport.execute(get(idle, "/"));
    CompletableFuture<HttpResponse> inFlight = transport.executeAsync(
        post(hanging).toBuilder().timeout(Duration.ofMinutes(5)).build());
    hanging.take();

    transport.close();

    ExecutionException e = assertThrows(ExecutionException.class, () -> inFlight.get(10, TimeUnit.SECONDS));
    HttpTransportException aborted = assertInstanceOf(HttpTransportException.class, e.getCause());
    assertEquals(HttpTransportException.Kind.FAILED_AFTER_SEND, aborted.kind());
    assertTrue(aborted.getMessage().contains("closed"), aborted.getMessage());
    assertEquals(0, hanging.awaitClosedByClient());
    assertEquals(0, idle.awaitClosedByClient());

    HttpTransportException later = assertThrows(HttpTransportException.class,
        () -> transport.execute(get(idle, "/later")));
    ExecutionException laterAsync = assertThrows(ExecutionException.class,
        () -> transport.executeAsync(get(idle, "/later")).get(10, TimeUnit.SECONDS));
    for (HttpTransportException x : List.of(later,
        assertInstanceOf(HttpTransportException.class, laterAsync.getCause()))) {
      assertEquals(HttpTransportException.Kind.CONNECT_FAILED, x.kind());
      assertTrue(x.getMessage().contains("closed; nothing was sent"), x.getMessage());
    }
    transport.close(); // idempotent
  }

  @Test
  void exchangesBeyondTheWorkerThreadsWaitForAFreeOne() throws Exception {
    Semaphore gate = new Semaphore(0);
    Wire w = wire((r, s, out) -> {
      if (!r.line.startsWith("GET /queued ")) {
        gate.acquire();
      }
      out.write(ascii(OK));
      return true;
    });
    List<CompletableFuture<HttpResponse>> busy = new ArrayList<>();
    for (int i = 0; i < SocketHttpTransport.MAX_WORKERS; i++) {
      busy.add(transport.executeAsync(get(w, "/busy")));
    }
    for (int i = 0; i < SocketHttpTransport.MAX_WORKERS; i++) {
      w.take();
    }
    CompletableFuture<HttpResponse> queued = transport.executeAsync(get(w, "/queued"));

    gate.release();

    assertEquals("ok", queued.get(10, TimeUnit.SECONDS).bodyAsString());
    assertEquals(1, busy.stream().filter(CompletableFuture::isDone).count(), "it ran on the one freed thread");
  }

  @Test
  void anExchangeWhoseTimeRunsOutWhileWaitingForAThreadFailsAtItsDeadlineUnsent() throws Exception {
    Wire w = wire((r, s, out) -> true); // never answers
    for (int i = 0; i < SocketHttpTransport.MAX_WORKERS; i++) {
      transport.executeAsync(get(w, "/busy").toBuilder().timeout(Duration.ofMinutes(5)).build());
    }
    for (int i = 0; i < SocketHttpTransport.MAX_WORKERS; i++) {
      w.take();
    }
    CompletableFuture<HttpResponse> queued = transport.executeAsync(
        get(w, "/queued").toBuilder().timeout(Duration.ofMillis(100)).build());

    // every worker stays busy for minutes: only the queued exchange's own deadline can end it
    ExecutionException e = assertThrows(ExecutionException.class, () -> queued.get(30, TimeUnit.SECONDS));
    HttpTransportException cause = assertInstanceOf(HttpTransportException.class, e.getCause());
    assertEquals(HttpTransportException.Kind.CONNECT_TIMEOUT, cause.kind(), "it was never sent");
    assertTrue(cause.getMessage().contains("no thread of the transport was free"), cause.getMessage());
  }

  @Test
  void closeFailsExchangesStillWaitingForAThread() throws Exception {
    Wire w = wire((r, s, out) -> true); // never answers
    List<CompletableFuture<HttpResponse>> busy = new ArrayList<>();
    for (int i = 0; i < SocketHttpTransport.MAX_WORKERS; i++) {
      busy.add(transport.executeAsync(get(w, "/busy").toBuilder().timeout(Duration.ofMinutes(5)).build()));
    }
    for (int i = 0; i < SocketHttpTransport.MAX_WORKERS; i++) {
      w.take();
    }
    CompletableFuture<HttpResponse> queued = transport.executeAsync(
        get(w, "/queued").toBuilder().timeout(Duration.ofMinutes(5)).build());

    transport.close();

    ExecutionException e = assertThrows(ExecutionException.class, () -> queued.get(10, TimeUnit.SECONDS));
    HttpTransportException cause = assertInstanceOf(HttpTransportException.class, e.getCause());
    assertEquals(HttpTransportException.Kind.CONNECT_FAILED, cause.kind(), "it was never sent");
    for (CompletableFuture<HttpResponse> f : busy) {
      ExecutionException b = assertThrows(ExecutionException.class, () -> f.get(10, TimeUnit.SECONDS));
      assertEquals(HttpTransportException.Kind.FAILED_AFTER_SEND,
          assertInstanceOf(HttpTransportException.class, b.getCause()).kind());
    }
  }

  @Test
  void theTlsHandshakeIsBoundedByTheConnectTimeout() throws Exception {
    // A listener that never accepts: TCP connects (the backlog), the ClientHello is never answered.
    try (ServerSocket silent = new ServerSocket(0, 5, LOOPBACK)) {
      HttpTransportException e = assertThrows(HttpTransportException.class, () -> transport.execute(
          HttpRequest.builder("POST", URI.create("https://127.0.0.1:" + silent.getLocalPort() + "/x")).body(JSON)
              .connectTimeout(Duration.ofMillis(150)).timeout(Duration.ofSeconds(10)).build()));

      assertEquals(HttpTransportException.Kind.CONNECT_TIMEOUT, e.kind());
      assertFalse(e.kind().requestMayHaveBeenSent());
      assertTrue(e.getMessage().contains("connect timeout (150 ms)"), e.getMessage());
    }
  }

  @Test
  void timeoutsBeyondWhatNanosecondsHoldAreAccepted() throws Exception {
    Wire w = wire(always(OK));
    Duration forever = Duration.ofDays(365L * 1000);

    HttpResponse sync = transport.execute(post(w).toBuilder().timeout(forever).connectTimeout(forever).build());
    HttpResponse async = transport.executeAsync(post(w).toBuilder().timeout(forever).connectTimeout(forever).build())
        .get(10, TimeUnit.SECONDS);

    assertEquals("ok", sync.bodyAsString());
    assertEquals("ok", async.bodyAsString());
  }

  @Test
  void anErrorInAnAsyncExchangeStillCompletesItsFuture() throws Exception {
    Wire w = wire(always(OK));
    SocketHttpTransport broken = track(SocketHttpTransport.builder().proxySelector(new ProxySelector() {
      @Override
      public List<Proxy> select(URI uri) {
        throw new AssertionError("a broken selector");
      }

      @Override
      public void connectFailed(URI uri, SocketAddress sa, IOException ioe) {
        // not called
      }
    }).build());

    ExecutionException e = assertThrows(ExecutionException.class,
        () -> broken.executeAsync(get(w, "/")).get(10, TimeUnit.SECONDS));

    assertInstanceOf(AssertionError.class, e.getCause());
  }

  @Test
  void asyncExchangesReturnTheAnswerAndShareTheConnection() throws Exception {
    Wire w = wire(always(OK));

    HttpResponse first = transport.executeAsync(post(w)).get(10, TimeUnit.SECONDS);
    HttpResponse second = transport.executeAsync(post(w)).get(10, TimeUnit.SECONDS);

    assertEquals("ok", first.bodyAsString());
    assertEquals("ok", second.bodyAsString());
    assertEquals(0, w.take().connection);
    assertEquals(0, w.take().connection);
  }

  // ------------------------------------------------------------------ proxies

  @Test
  void anHttpProxyGetsAbsoluteFormRequestsAndIsAskedOncePerConnection() throws Exception {
    Wire proxy = wire(always(OK));
    RecordingSelector selector = new RecordingSelector(new Proxy(Proxy.Type.HTTP,
        InetSocketAddress.createUnresolved("127.0.0.1", proxy.port())));
    SocketHttpTransport proxied = track(SocketHttpTransport.builder().proxySelector(selector).build());
    URI defaultPort = URI.create("http://cph.example.test:80/v1/x?y=1");

    // the host names are never resolved here: only the proxy knows them
    proxied.execute(HttpRequest.builder("POST", defaultPort).body(JSON).build());
    proxied.execute(HttpRequest.builder("GET", defaultPort).build());
    proxied.execute(HttpRequest.builder("GET", URI.create("http://cph.example.test:8080/z")).build());

    Req first = proxy.take();
    assertEquals("POST http://cph.example.test/v1/x?y=1 HTTP/1.1", first.line);
    assertEquals(List.of("Host: cph.example.test"), first.lines("Host"));
    assertArrayEquals(JSON, first.body);
    Req second = proxy.take();
    assertEquals("GET http://cph.example.test/v1/x?y=1 HTTP/1.1", second.line);
    assertEquals(0, second.connection);
    Req third = proxy.take();
    assertEquals("GET http://cph.example.test:8080/z HTTP/1.1", third.line);
    assertEquals(List.of("Host: cph.example.test:8080"), third.lines("Host"));
    assertEquals(1, third.connection, "another origin, another connection");
    assertEquals(List.of(defaultPort, URI.create("http://cph.example.test:8080/z")), selector.asked);
  }

  @Test
  void aProxyAskingForAuthenticationIsConnectFailedAndNothingReachesIt() throws Exception {
    Wire proxy = wire(always("HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm=\"p\"\r\n"
        + "Content-Length: 0\r\n\r\n"));
    SocketHttpTransport proxied = track(SocketHttpTransport.builder().proxySelector(new RecordingSelector(
        new Proxy(Proxy.Type.HTTP, new InetSocketAddress(LOOPBACK, proxy.port())))).build());

    HttpTransportException e = assertThrows(HttpTransportException.class, () -> proxied.execute(
        HttpRequest.builder("POST", URI.create("https://cph.example.test/v1/p/cloud-phone/phones/share-apps"))
            .header("X-Auth-Token", "secret-token").body(JSON).build()));

    assertEquals(HttpTransportException.Kind.CONNECT_FAILED, e.kind());
    assertTrue(e.getMessage().contains("407") && e.getMessage().contains("authentication"), e.getMessage());
    Req connect = proxy.take();
    assertEquals("CONNECT cph.example.test:443 HTTP/1.1", connect.line);
    assertEquals(List.of("Host: cph.example.test:443"), connect.headerLines, "no header of the request");
    assertEquals(0, connect.body.length);
    assertEquals(0, proxy.awaitClosedByClient(), "the refused tunnel's connection is closed");
  }

  @Test
  void httpsGoesThroughAConnectTunnelWithSniAndHostNameVerification() throws Exception {
    BlockingQueue<String> sni = new LinkedBlockingQueue<>();
    Wire origin = tlsWire(sni);
    Wire proxy = wire(tunnel());
    SocketHttpTransport proxied = track(SocketHttpTransport.builder().sslContext(trusting(certificate()))
        .proxySelector(new RecordingSelector(new Proxy(Proxy.Type.HTTP,
            new InetSocketAddress(LOOPBACK, proxy.port())))).build());
    URI uri = URI.create("https://localhost:" + origin.port() + "/v1/x?y=1");

    HttpResponse first = proxied.execute(HttpRequest.builder("POST", uri).body(JSON).build());
    HttpResponse second = proxied.execute(HttpRequest.builder("GET", uri).build());
    // the proxy tunnels any name to the same server, whose certificate does not name this one
    HttpTransportException otherName = assertThrows(HttpTransportException.class, () -> proxied.execute(
        HttpRequest.builder("POST", URI.create("https://cph.other.example:" + origin.port() + "/v1/x")).body(JSON)
            .build()));

    assertEquals("ok", first.bodyAsString());
    assertEquals("ok", second.bodyAsString());
    Req connect = proxy.take();
    assertEquals("CONNECT localhost:" + origin.port() + " HTTP/1.1", connect.line);
    Req post = origin.take();
    assertEquals("POST /v1/x?y=1 HTTP/1.1", post.line, "origin form inside the tunnel");
    assertEquals(List.of("Host: localhost:" + origin.port()), post.lines("Host"));
    assertArrayEquals(JSON, post.body);
    assertEquals(0, origin.take().connection, "the tunnelled connection is kept");
    assertEquals("localhost", sni.take());
    assertEquals(HttpTransportException.Kind.TLS_FAILED, otherName.kind(), otherName.toString());
    Req nextTunnel = proxy.take();
    assertEquals("CONNECT cph.other.example:" + origin.port() + " HTTP/1.1", nextTunnel.line, "one tunnel for two");
    assertEquals(1, nextTunnel.connection);
  }

  @Test
  void sniNamesTheHostButNeverAnIpAddress() throws Exception {
    BlockingQueue<String> sni = new LinkedBlockingQueue<>();
    Wire origin = tlsWire(sni);
    SocketHttpTransport tls = track(SocketHttpTransport.builder().sslContext(trusting(certificate())).build());

    HttpResponse byAddress = tls.execute(HttpRequest.builder("GET",
        URI.create("https://127.0.0.1:" + origin.port() + "/")).build());
    HttpResponse byName = tls.execute(HttpRequest.builder("GET",
        URI.create("https://localhost:" + origin.port() + "/")).build());

    assertEquals("ok", byAddress.bodyAsString());
    assertEquals("ok", byName.bodyAsString());
    assertEquals("", sni.take(), "no SNI for an IP address");
    assertEquals("localhost", sni.take());
    assertEquals(List.of("Host: 127.0.0.1:" + origin.port()), origin.take().lines("Host"));
    assertEquals(List.of("Host: localhost:" + origin.port()), origin.take().lines("Host"));
  }

  @Test
  void toStringIsPlain() {
    assertEquals("SocketHttpTransport", transport.toString());
  }

  // ------------------------------------------------------------------ helpers

  private <T extends AutoCloseable> T track(T closeable) {
    toClose.add(closeable);
    return closeable;
  }

  private Wire wire(Script script) throws IOException {
    return track(new Wire(script, new ServerSocket(0, 100, LOOPBACK)));
  }

  private static HttpRequest get(Wire w, String pathAndQuery) {
    return HttpRequest.builder("GET", w.uri(pathAndQuery)).timeout(Duration.ofSeconds(10)).build();
  }

  private static HttpRequest post(Wire w) {
    return HttpRequest.builder("POST", w.uri(PATH)).header("Content-Type", "application/json").body(JSON)
        .timeout(Duration.ofSeconds(10)).build();
  }

  /** What the transport returns for {@code answer} from a fresh server that closes after writing it. */
  private HttpResponse answerTo(String answer) throws Exception {
    return answerTo(answer, 1 << 20);
  }

  private HttpResponse answerTo(String answer, long maxResponseBytes) throws Exception {
    Wire w = wire(closingAfter(answer));
    return transport.execute(get(w, "/").toBuilder().maxResponseBytes(maxResponseBytes).build());
  }

  /** Checks that {@code answer} fails the exchange as FAILED_AFTER_SEND and returns the failure. */
  private HttpTransportException refused(String answer) throws Exception {
    Wire w = wire(closingAfter(answer));
    HttpTransportException e = assertThrows(HttpTransportException.class, () -> transport.execute(get(w, "/")));
    assertEquals(HttpTransportException.Kind.FAILED_AFTER_SEND, e.kind(), e.toString());
    return e;
  }

  private static Script always(String answer) {
    return (r, s, out) -> {
      out.write(ascii(answer));
      return true;
    };
  }

  private static Script closingAfter(String answer) {
    return (r, s, out) -> {
      out.write(ascii(answer));
      return false;
    };
  }

  /**
   * The first request gets {@code start}, and {@code rest} only once {@code go} opens (the client has its
   * answer by then, so the rest cannot be waiting in its buffer); every later request gets {@link #OK}.
   */
  private static Script withheld(String start, String rest, CountDownLatch go) {
    AtomicInteger n = new AtomicInteger();
    return (r, s, out) -> {
      if (n.getAndIncrement() > 0) {
        out.write(ascii(OK));
        return true;
      }
      out.write(ascii(start));
      out.flush();
      go.await();
      out.write(ascii(rest));
      return true;
    };
  }

  /** The n-th request (over all connections) gets the n-th answer, the last one repeated. */
  private static Script sequence(String... answers) {
    AtomicInteger n = new AtomicInteger();
    return (r, s, out) -> {
      out.write(ascii(answers[Math.min(n.getAndIncrement(), answers.length - 1)]));
      return true;
    };
  }

  /** An HTTP proxy that opens the tunnel asked for (to loopback) and pipes bytes both ways. */
  private static Script tunnel() {
    return (r, s, out) -> {
      String authority = r.line.split(" ")[1];
      Socket target = new Socket(LOOPBACK, Integer.parseInt(authority.substring(authority.lastIndexOf(':') + 1)));
      out.write(ascii("HTTP/1.1 200 Connection established\r\n\r\n"));
      out.flush();
      Thread up = new Thread(() -> pipe(s, target), "tunnel-up");
      up.setDaemon(true);
      up.start();
      pipe(target, s);
      return false;
    };
  }

  private static void pipe(Socket from, Socket to) {
    byte[] buf = new byte[8192];
    try {
      InputStream in = from.getInputStream();
      OutputStream out = to.getOutputStream();
      int n;
      while ((n = in.read(buf)) >= 0) {
        out.write(buf, 0, n);
        out.flush();
      }
      to.shutdownOutput();
    } catch (IOException ended) {
      // one side went away
    }
  }

  /** An https server with the loopback certificate answering OK; records the SNI name of each handshake. */
  private Wire tlsWire(BlockingQueue<String> sni) throws Exception {
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(certificate(), PASSWORD.toCharArray());
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(kmf.getKeyManagers(), null, null);
    SSLServerSocket listener = (SSLServerSocket) ctx.getServerSocketFactory().createServerSocket(0, 50, LOOPBACK);
    Set<Integer> handshaken = ConcurrentHashMap.newKeySet();
    return track(new Wire((r, s, out) -> {
      if (handshaken.add(r.connection)) {
        List<SNIServerName> names = ((ExtendedSSLSession) ((SSLSocket) s).getSession()).getRequestedServerNames();
        sni.add(names.isEmpty() ? "" : new String(names.get(0).getEncoded(), StandardCharsets.US_ASCII));
      }
      out.write(ascii(OK));
      return true;
    }, listener));
  }

  private static final String PASSWORD = "changeit";

  /** A self-signed certificate for 127.0.0.1 and localhost, made once with the JDK's keytool. */
  private static synchronized KeyStore certificate() throws Exception {
    if (certificate == null) {
      Path store = dir.resolve("loopback.p12");
      Process p = new ProcessBuilder(Paths.get(System.getProperty("java.home"), "bin", "keytool").toString(),
          "-genkeypair", "-alias", "loopback", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=loopback",
          "-ext", "SAN=ip:127.0.0.1,dns:localhost", "-validity", "2", "-storetype", "PKCS12",
          "-keystore", store.toString(), "-storepass", PASSWORD, "-keypass", PASSWORD)
          .redirectErrorStream(true).start();
      String output = new String(p.getInputStream().readAllBytes(), UTF_8);
      assertTrue(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0, "keytool failed: " + output);
      KeyStore ks = KeyStore.getInstance("PKCS12");
      try (InputStream in = Files.newInputStream(store)) {
        ks.load(in, PASSWORD.toCharArray());
      }
      certificate = ks;
    }
    return certificate;
  }

  private static SSLContext trusting(KeyStore keyStore) throws Exception {
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    trust.setCertificateEntry("loopback", keyStore.getCertificate("loopback"));
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(null, tmf.getTrustManagers(), null);
    return ctx;
  }

  private static byte[] ascii(String s) {
    return s.getBytes(ISO_8859_1);
  }

  private static InetAddress loopback() {
    try {
      return InetAddress.getByName("127.0.0.1");
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Always the same proxy; remembers the URIs it was asked about. */
  private static final class RecordingSelector extends ProxySelector {
    final Proxy proxy;
    final List<URI> asked = new CopyOnWriteArrayList<>();

    RecordingSelector(Proxy proxy) {
      this.proxy = proxy;
    }

    @Override
    public List<Proxy> select(URI uri) {
      asked.add(uri);
      return List.of(proxy);
    }

    @Override
    public void connectFailed(URI uri, SocketAddress sa, IOException ioe) {
      // nothing to learn
    }
  }

  /** A stream over fixed bytes that remembers the largest array a reader handed it. */
  private static final class LargestArraySeen extends ByteArrayInputStream {
    int largest;

    LargestArraySeen(byte[] bytes) {
      super(bytes);
    }

    @Override
    public synchronized int read(byte[] b, int off, int len) {
      largest = Math.max(largest, b.length);
      return super.read(b, off, len);
    }
  }

  /** An unconnected socket whose streams are given: for reading answers without a peer. */
  private static final class StreamSocket extends Socket {
    private final InputStream in;
    private final OutputStream out = new ByteArrayOutputStream();

    StreamSocket(InputStream in) {
      this.in = in;
    }

    @Override
    public InputStream getInputStream() {
      return in;
    }

    @Override
    public OutputStream getOutputStream() {
      return out;
    }
  }

  /** One request as the server read it. */
  static final class Req {
    /** The server's number for the connection it came on: 0 for the first accepted, then 1, 2, ... */
    final int connection;
    final String line;
    final List<String> headerLines;
    final byte[] body;

    Req(int connection, String line, List<String> headerLines, byte[] body) {
      this.connection = connection;
      this.line = line;
      this.headerLines = headerLines;
      this.body = body;
    }

    /** The header lines of that name (case-insensitive), whole. */
    List<String> lines(String name) {
      List<String> found = new ArrayList<>();
      for (String l : headerLines) {
        int colon = l.indexOf(':');
        if (colon > 0 && l.substring(0, colon).equalsIgnoreCase(name)) {
          found.add(l);
        }
      }
      return found;
    }
  }

  /** Writes the answer to one request; returns whether to read another request on the connection. */
  interface Script {
    boolean answer(Req request, Socket socket, OutputStream out) throws Exception;
  }

  /**
   * A loopback HTTP/1.1 server for byte-level tests: a thread per connection reads each request (head, then a
   * {@code Content-Length} body, reading byte by byte so nothing past the request is consumed) and lets the
   * {@link Script} write any bytes at all. It records the requests with their connection's number, and which
   * connections the client closed while the server waited for its next request.
   */
  static final class Wire implements AutoCloseable {
    private final ServerSocket listener;
    private final Script script;
    private final BlockingQueue<Req> requests = new LinkedBlockingQueue<>();
    private final BlockingQueue<Integer> closedByClient = new LinkedBlockingQueue<>();
    private final BlockingQueue<Integer> closedByServer = new LinkedBlockingQueue<>();
    private final List<Socket> open = new CopyOnWriteArrayList<>();
    private final List<Thread> threads = new CopyOnWriteArrayList<>();
    final AtomicInteger connections = new AtomicInteger();

    Wire(Script script, ServerSocket listener) {
      this.script = script;
      this.listener = listener;
      Thread accept = new Thread(this::accept, "wire-accept-" + listener.getLocalPort());
      accept.setDaemon(true);
      accept.start();
    }

    int port() {
      return listener.getLocalPort();
    }

    URI uri(String pathAndQuery) {
      return URI.create((listener instanceof SSLServerSocket ? "https" : "http") + "://127.0.0.1:" + port()
          + pathAndQuery);
    }

    /** The next request received, waiting for it at most 10 s. */
    Req take() throws InterruptedException {
      Req r = requests.poll(10, TimeUnit.SECONDS);
      assertNotNull(r, "the server received no (further) request");
      return r;
    }

    /** The number of the next connection the client closed, waiting for it at most 10 s. */
    int awaitClosedByClient() throws InterruptedException {
      Integer c = closedByClient.poll(10, TimeUnit.SECONDS);
      assertNotNull(c, "the client closed no connection");
      return c;
    }

    /** The number of the next connection the server closed (its script said so), once it is closed. */
    int awaitClosedByServer() throws InterruptedException {
      Integer c = closedByServer.poll(10, TimeUnit.SECONDS);
      assertNotNull(c, "the server closed no connection");
      return c;
    }

    private void accept() {
      while (!listener.isClosed()) {
        Socket s;
        try {
          s = listener.accept();
        } catch (IOException e) {
          return;
        }
        int id = connections.getAndIncrement();
        open.add(s);
        Thread t = new Thread(() -> serve(s, id), "wire-" + port() + "-" + id);
        t.setDaemon(true);
        threads.add(t);
        t.start();
      }
    }

    private void serve(Socket s, int id) {
      boolean serverCloses = false;
      try {
        s.setTcpNoDelay(true);
        InputStream in = s.getInputStream();
        OutputStream out = new BufferedOutputStream(s.getOutputStream(), 1 << 17);
        while (true) {
          Req r = read(in, id);
          if (r == null) {
            closedByClient.add(id);
            return;
          }
          requests.add(r);
          boolean more = script.answer(r, s, out);
          out.flush();
          if (!more) {
            serverCloses = true;
            return;
          }
        }
      } catch (IOException e) {
        closedByClient.add(id); // reset, or closed halfway through a request
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (Exception e) {
        throw new IllegalStateException(e);
      } finally {
        try {
          s.close();
        } catch (IOException ignored) {
          // closed either way
        }
        open.remove(s);
        if (serverCloses) {
          closedByServer.add(id);
        }
      }
    }

    /** One request, or {@code null} when the stream ends before its first byte. */
    private static Req read(InputStream in, int id) throws IOException {
      ByteArrayOutputStream head = new ByteArrayOutputStream();
      int last4 = 0;
      while (last4 != 0x0D0A0D0A) {
        int b = in.read();
        if (b < 0) {
          if (head.size() == 0) {
            return null;
          }
          throw new EOFException("the request ended inside its head");
        }
        head.write(b);
        last4 = (last4 << 8) | b;
      }
      List<String> lines = new ArrayList<>(Arrays.asList(head.toString(ISO_8859_1).split("\r\n")));
      String requestLine = lines.remove(0);
      int length = 0;
      for (String l : lines) {
        if (l.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
          length = Integer.parseInt(l.substring(l.indexOf(':') + 1).trim());
        }
      }
      byte[] body = in.readNBytes(length);
      if (body.length < length) {
        throw new EOFException("the request ended inside its body");
      }
      return new Req(id, requestLine, List.copyOf(lines), body);
    }

    @Override
    public void close() throws IOException {
      listener.close();
      for (Socket s : open) {
        s.close();
      }
      for (Thread t : threads) {
        t.interrupt();
      }
    }
  }
}
