package io.github.cphsdk.reliability;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
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
 */
final class RawServer implements AutoCloseable {
  /** Writes the answer to one request; returns whether to keep the connection open for another request. */
  interface Handler {
    boolean answer(Request request, OutputStream out) throws IOException, InterruptedException;
  }

  /** One request as received. */
  static final class Request {
    final String requestLine;
    final Map<String, String> headers; // lower-case names
    final List<String> headerLines;
    final byte[] body;

    Request(String requestLine, Map<String, String> headers, List<String> headerLines, byte[] body) {
      this.requestLine = requestLine;
      this.headers = headers;
      this.headerLines = headerLines;
      this.body = body;
    }

    String bodyUtf8() {
      return new String(body, StandardCharsets.UTF_8);
    }
  }

  private final ServerSocket socket;
  private final Handler handler;
  private final List<Socket> open = new CopyOnWriteArrayList<>();
  private final List<Thread> threads = new CopyOnWriteArrayList<>();
  final List<Request> requests = new CopyOnWriteArrayList<>();
  final AtomicInteger connections = new AtomicInteger();
  final AtomicLong bytesWritten = new AtomicLong();
  /** Connections that ended with an I/O error: the client closed or reset them while the server read or wrote. */
  final AtomicInteger peerClosedWhileWriting = new AtomicInteger();

  RawServer(Handler handler) throws IOException {
    this(handler, new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1")));
  }

  /** A server on a socket the test made, e.g. an {@code SSLServerSocket} on 127.0.0.1. */
  RawServer(Handler handler, ServerSocket socket) {
    this.handler = handler;
    this.socket = socket;
    Thread acceptor = new Thread(this::acceptLoop, "raw-server-accept-" + socket.getLocalPort());
    acceptor.setDaemon(true);
    acceptor.start();
  }

  URI endpoint() {
    return URI.create((socket instanceof javax.net.ssl.SSLServerSocket ? "https" : "http") + "://127.0.0.1:"
        + socket.getLocalPort());
  }

  int port() {
    return socket.getLocalPort();
  }

  private void acceptLoop() {
    while (!socket.isClosed()) {
      Socket s;
      try {
        s = socket.accept();
      } catch (IOException e) {
        return;
      }
      connections.incrementAndGet();
      open.add(s);
      Thread t = new Thread(() -> serve(s), "raw-server-conn-" + s.getPort());
      t.setDaemon(true);
      threads.add(t);
      t.start();
    }
  }

  private void serve(Socket s) {
    try (Socket c = s) {
      c.setTcpNoDelay(true);
      InputStream in = c.getInputStream();
      // Buffered: an answer written in pieces leaves in one segment unless the handler flushes (a trickle).
      OutputStream out = new CountingStream(new java.io.BufferedOutputStream(c.getOutputStream(), 8192));
      while (true) {
        Request r = read(in);
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
    } catch (SocketException e) {
      peerClosedWhileWriting.incrementAndGet();
    } catch (IOException e) {
      peerClosedWhileWriting.incrementAndGet();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      open.remove(s);
      threads.remove(Thread.currentThread());
    }
  }

  /** Reads one request, or {@code null} at end of stream. */
  private static Request read(InputStream in) throws IOException {
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
    return new Request(lines[0], Collections.unmodifiableMap(headers), List.copyOf(headerLines), body);
  }

  /**
   * Blocks until the server's connections are all closed (by either side), at most {@code millis}; collects
   * garbage meanwhile, as a closed java.net.http client on JDK 17 lets go of its connections only then.
   */
  boolean awaitNoOpenConnections(long millis) throws InterruptedException {
    long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
    while (!open.isEmpty() && System.nanoTime() < until) {
      System.gc();
      Thread.sleep(20);
    }
    return open.isEmpty();
  }

  /** Closes the port and every connection and interrupts handlers that wait, so no thread outlives the test. */
  @Override
  public void close() throws IOException {
    socket.close();
    for (Socket s : open) {
      s.close();
    }
    for (Thread t : threads) {
      t.interrupt();
    }
  }

  static byte[] ascii(String s) {
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
