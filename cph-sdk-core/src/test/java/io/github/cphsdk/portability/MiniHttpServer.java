package io.github.cphsdk.portability;

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

/**
 * A scripted HTTP/1.1 server on {@code java.net.ServerSocket} only (no {@code com.sun.net.httpserver}, no
 * {@code java.net.http}), so it runs in a JVM limited to {@code java.base}. Each request takes the next
 * scripted action; connections are kept alive.
 */
final class MiniHttpServer implements AutoCloseable {

  /** What the server does with one request. */
  static final class Action {
    final int status;
    final Map<String, String> headers;
    final byte[] body;
    final boolean drop;

    private Action(int status, Map<String, String> headers, byte[] body, boolean drop) {
      this.status = status;
      this.headers = headers;
      this.body = body;
      this.drop = drop;
    }
  }

  /** One request as received. */
  static final class Received {
    final String method;
    final String target;
    final Map<String, String> headers; // lower-case names
    final byte[] body;
    final int connection;

    Received(String method, String target, Map<String, String> headers, byte[] body, int connection) {
      this.method = method;
      this.target = target;
      this.headers = headers;
      this.body = body;
      this.connection = connection;
    }

    String bodyText() {
      return new String(body, StandardCharsets.UTF_8);
    }
  }

  static Action respond(int status, String body, String... headerPairs) {
    Map<String, String> headers = new LinkedHashMap<>();
    for (int i = 0; i < headerPairs.length; i += 2) {
      headers.put(headerPairs[i], headerPairs[i + 1]);
    }
    return new Action(status, headers, body.getBytes(StandardCharsets.UTF_8), false);
  }

  /** Reads the request, then closes the connection without answering. */
  static Action drop() {
    return new Action(0, Collections.emptyMap(), new byte[0], true);
  }

  private final ServerSocket socket;
  private final Deque<Action> script = new ArrayDeque<>();
  private final List<Received> received = new ArrayList<>();
  private int connections;

  MiniHttpServer() throws IOException {
    socket = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
    Thread acceptor = new Thread(this::acceptLoop, "mini-http-acceptor");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  URI endpoint() {
    return URI.create("http://127.0.0.1:" + socket.getLocalPort());
  }

  synchronized void enqueue(Action... actions) {
    Collections.addAll(script, actions);
  }

  synchronized List<Received> received() {
    return new ArrayList<>(received);
  }

  private void acceptLoop() {
    while (!socket.isClosed()) {
      try {
        Socket s = socket.accept();
        int number;
        synchronized (this) {
          number = connections++;
        }
        Thread t = new Thread(() -> serve(s, number), "mini-http-connection-" + number);
        t.setDaemon(true);
        t.start();
      } catch (IOException e) {
        return; // closed
      }
    }
  }

  private void serve(Socket s, int connection) {
    try (Socket connectionSocket = s) {
      InputStream in = connectionSocket.getInputStream();
      OutputStream out = connectionSocket.getOutputStream();
      while (true) {
        String requestLine = readLine(in);
        if (requestLine == null || requestLine.isEmpty()) {
          return;
        }
        String[] parts = requestLine.split(" ");
        Map<String, String> headers = new LinkedHashMap<>();
        for (String line = readLine(in); line != null && !line.isEmpty(); line = readLine(in)) {
          int colon = line.indexOf(':');
          headers.put(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim());
        }
        int length = Integer.parseInt(headers.getOrDefault("content-length", "0"));
        byte[] body = new byte[length];
        for (int read = 0; read < length; ) {
          int n = in.read(body, read, length - read);
          if (n < 0) {
            return;
          }
          read += n;
        }
        Action action;
        synchronized (this) {
          received.add(new Received(parts[0], parts[1], headers, body, connection));
          action = script.poll();
        }
        if (action == null) {
          action = respond(500, "{\"error_msg\":\"no scripted answer left\"}");
        }
        if (action.drop) {
          return;
        }
        StringBuilder head = new StringBuilder("HTTP/1.1 ").append(action.status).append(" X\r\n");
        for (Map.Entry<String, String> h : action.headers.entrySet()) {
          head.append(h.getKey()).append(": ").append(h.getValue()).append("\r\n");
        }
        head.append("Content-Length: ").append(action.body.length).append("\r\n\r\n");
        out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
        out.write(action.body);
        out.flush();
      }
    } catch (IOException e) {
      // the client went away
    }
  }

  private static String readLine(InputStream in) throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    for (int b = in.read(); b >= 0; b = in.read()) {
      if (b == '\n') {
        String s = new String(line.toByteArray(), StandardCharsets.ISO_8859_1);
        return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
      }
      line.write(b);
    }
    return null;
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
