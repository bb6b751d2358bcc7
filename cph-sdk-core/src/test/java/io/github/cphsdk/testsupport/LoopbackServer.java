package io.github.cphsdk.testsupport;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A hand-written HTTP/1.x server on a loopback {@link ServerSocket}, for answers no well-behaved server sends:
 * every connection gets its own daemon thread, reads requests (head, then a {@code Content-Length} body) and
 * lets the test's {@link Handler} write whatever bytes it likes. Records what it received and how many bytes
 * it managed to write, so tests can tell whether a client stopped reading.
 *
 * <p>{@link #scripted()} makes one that answers each request with the next {@link #enqueue queued}
 * {@link Action} and keeps connections alive. Uses only {@code java.base}, so it also serves programs that run
 * in a JVM limited to that module.
 *
 * <pre>{@code
 * try (LoopbackServer server = new LoopbackServer((request, out) -> {
 *   out.write(LoopbackServer.ascii("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}"));
 *   return true; // keep the connection open
 * })) {
 *   client(server.endpoint()).shareApps(request);
 *   server.requests.get(0).bodyUtf8();
 * }
 * }</pre>
 */
public final class LoopbackServer extends LoopbackAcceptor {
  /** How the names of the server's threads begin, for tests that count the other threads. */
  public static final String THREAD_NAME_PREFIX = "loopback-server-";

  /** Writes the answer to one request. */
  public interface Handler {
    /**
     * Answers {@code request}; the server flushes {@code out} afterwards.
     *
     * @param request what was received
     * @param out the connection's output, buffered
     * @return whether to keep the connection open for another request
     * @throws IOException when the client went away
     * @throws InterruptedException when the server is closed while the handler waits
     */
    boolean answer(Request request, OutputStream out) throws IOException, InterruptedException;
  }

  /** One request as received. */
  public static final class Request {
    /** The request line, e.g. {@code POST /v1/p/x HTTP/1.1}. */
    public final String requestLine;
    /** The method, e.g. {@code POST}. */
    public final String method;
    /** The request target, e.g. {@code /v1/p/x?a=b}. */
    public final String target;
    /** The headers, by lower-case name (the last one of a name wins). */
    public final Map<String, String> headers;
    /** The header lines as received. */
    public final List<String> headerLines;
    /** The body ({@code Content-Length} bytes). */
    public final byte[] body;
    /** The connection it came on, counting from 1. */
    public final int connection;
    /** Its number on that connection, counting from 1. */
    public final int numberOnConnection;

    Request(String requestLine, Map<String, String> headers, List<String> headerLines, byte[] body, int connection,
        int numberOnConnection) {
      this.requestLine = requestLine;
      String[] parts = requestLine.split(" ", 3);
      this.method = parts[0];
      this.target = parts.length > 1 ? parts[1] : "";
      this.headers = headers;
      this.headerLines = headerLines;
      this.body = body;
      this.connection = connection;
      this.numberOnConnection = numberOnConnection;
    }

    /** {@return the body as UTF-8 text} */
    public String bodyUtf8() {
      return new String(body, StandardCharsets.UTF_8);
    }
  }

  /** What a {@link #scripted()} server does with one request: answer it, or close the connection. */
  public static final class Action {
    private final byte[] answer; // null: drop

    private Action(byte[] answer) {
      this.answer = answer;
    }
  }

  /**
   * An answer with a {@code Content-Length}, keeping the connection open.
   *
   * @param status the status code
   * @param body the body, sent as UTF-8
   * @param headerPairs header names and values, alternating
   * @return the action
   */
  public static Action respond(int status, String body, String... headerPairs) {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    StringBuilder head = new StringBuilder("HTTP/1.1 ").append(status).append(" X\r\n");
    for (int i = 0; i < headerPairs.length; i += 2) {
      head.append(headerPairs[i]).append(": ").append(headerPairs[i + 1]).append("\r\n");
    }
    head.append("Content-Length: ").append(bytes.length).append("\r\n\r\n");
    ByteArrayOutputStream answer = new ByteArrayOutputStream();
    answer.writeBytes(ascii(head.toString()));
    answer.writeBytes(bytes);
    return new Action(answer.toByteArray());
  }

  /** {@return an action that reads the request, then closes the connection without answering} */
  public static Action drop() {
    return new Action(null);
  }

  /** Answers from the queue; a 500 when it is empty. */
  private static final class Script implements Handler {
    private final Deque<Action> queue = new ArrayDeque<>();

    @Override
    public boolean answer(Request request, OutputStream out) throws IOException {
      Action action;
      synchronized (queue) {
        action = queue.poll();
      }
      if (action == null) {
        action = respond(500, "{\"error_msg\":\"no scripted answer left\"}");
      }
      if (action.answer == null) {
        return false;
      }
      out.write(action.answer);
      return true;
    }
  }

  private final Handler handler;
  /** Every request received, oldest first. */
  public final List<Request> requests = new CopyOnWriteArrayList<>();
  /** How many answer bytes the handlers wrote (into the connection's buffer). */
  public final AtomicLong bytesWritten = new AtomicLong();
  /** Connections that ended with an I/O error: the client closed or reset them while the server read or wrote. */
  public final AtomicInteger peerClosedWhileWriting = new AtomicInteger();

  /**
   * A server on an ephemeral port of 127.0.0.1.
   *
   * @param handler writes the answers
   * @throws IOException when no port could be opened
   */
  public LoopbackServer(Handler handler) throws IOException {
    this(handler, new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1")));
  }

  /**
   * A server on a socket the test made, e.g. an {@code SSLServerSocket} on 127.0.0.1.
   *
   * @param handler writes the answers
   * @param socket the bound socket; closed with the server
   */
  public LoopbackServer(Handler handler, ServerSocket socket) {
    super(socket, THREAD_NAME_PREFIX);
    this.handler = handler;
    start();
  }

  /**
   * A server that answers each request with the next {@link #enqueue queued} action (a 500 when none is left).
   *
   * @return the server, on an ephemeral port of 127.0.0.1
   * @throws IOException when no port could be opened
   */
  public static LoopbackServer scripted() throws IOException {
    return new LoopbackServer(new Script());
  }

  /**
   * Queues answers for a {@link #scripted()} server.
   *
   * @param actions the next answers, in order
   * @throws IllegalStateException when this server has a handler of the test's
   */
  public void enqueue(Action... actions) {
    if (!(handler instanceof Script)) {
      throw new IllegalStateException("only a scripted() server takes queued answers");
    }
    Deque<Action> queue = ((Script) handler).queue;
    synchronized (queue) {
      Collections.addAll(queue, actions);
    }
  }

  /** {@return {@code http://127.0.0.1:<port>}, or {@code https://...} on an {@code SSLServerSocket}} */
  public URI endpoint() {
    return baseUri();
  }

  /**
   * The endpoint with a path.
   *
   * @param path starting with {@code /}
   * @return e.g. {@code http://127.0.0.1:<port>/path}
   */
  public URI uri(String path) {
    return URI.create(endpoint() + path);
  }

  @Override
  void serve(Socket c, int connection) {
    try {
      c.setTcpNoDelay(true);
      InputStream in = c.getInputStream();
      // Buffered: an answer written in pieces leaves in one segment unless the handler flushes (a trickle).
      OutputStream out = new CountingStream(new java.io.BufferedOutputStream(c.getOutputStream(), 8192));
      for (int number = 1; ; number++) {
        Request r = read(in, connection, number);
        if (r == null) {
          return;
        }
        requests.add(r);
        if (!handler.answer(r, out)) {
          out.flush();
          return;
        }
        out.flush();
      }
    } catch (IOException e) {
      peerClosedWhileWriting.incrementAndGet();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Reads one request, or {@code null} at end of stream. */
  private static Request read(InputStream in, int connection, int number) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int last4 = 0;
    while (last4 != 0x0D0A0D0A) { // CR LF CR LF ends the head
      int b = in.read();
      if (b < 0) {
        return null;
      }
      head.write(b);
      last4 = (last4 << 8) | b;
      if (head.size() > 64 * 1024) {
        throw new IOException("request head too large");
      }
    }
    String[] lines = head.toString(StandardCharsets.ISO_8859_1).split("\r\n");
    Map<String, String> headers = new LinkedHashMap<>();
    List<String> headerLines = new ArrayList<>();
    for (int i = 1; i < lines.length; i++) {
      headerLines.add(lines[i]);
      int colon = lines[i].indexOf(':');
      if (colon > 0) {
        headers.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).trim());
      }
    }
    int length = Integer.parseInt(headers.getOrDefault("content-length", "0"));
    byte[] body = in.readNBytes(length);
    return new Request(lines[0], Collections.unmodifiableMap(headers), List.copyOf(headerLines), body, connection,
        number);
  }

  /**
   * Blocks until the server's connections are all closed (by either side), at most {@code millis}; collects
   * garbage meanwhile, as a closed java.net.http client on JDK 17 lets go of its connections only then.
   *
   * @param millis the most to wait
   * @return whether none is open
   * @throws InterruptedException when interrupted
   */
  public boolean awaitNoOpenConnections(long millis) throws InterruptedException {
    long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
    while (!noneOpen() && System.nanoTime() < until) {
      System.gc();
      Thread.sleep(20);
    }
    return noneOpen();
  }

  /**
   * Text as ISO-8859-1 bytes, for heads written by hand.
   *
   * @param s the text
   * @return its bytes
   */
  public static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.ISO_8859_1);
  }

  private final class CountingStream extends OutputStream {
    private final OutputStream out;

    CountingStream(OutputStream out) {
      this.out = out;
    }

    @Override
    public void write(int b) throws IOException {
      out.write(b);
      bytesWritten.incrementAndGet();
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      out.write(b, off, len);
      bytesWritten.addAndGet(len);
    }

    @Override
    public void flush() throws IOException {
      out.flush();
    }
  }
}
