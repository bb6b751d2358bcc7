package io.github.cphsdk.bench;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The floor of a blocking exchange: one keep-alive socket with TCP_NODELAY, the same request bytes as our
 * client sends (head and body in one write), the answer read on the calling thread (status line, headers,
 * Content-Length body) and its status checked. No pool, no timeouts, no TLS, no async form: only the
 * sequential phases use it.
 */
public final class BareSocketContender implements Contender {
  private final int port;
  private final String head;
  private Socket socket;
  private OutputStream out;
  private InputStream in;

  public BareSocketContender(int port, List<Map.Entry<String, String>> captured) {
    this.port = port;
    StringBuilder sb = new StringBuilder("POST ").append(Fixtures.path()).append(" HTTP/1.1\r\nHost: 127.0.0.1:").append(port).append("\r\n");
    for (Map.Entry<String, String> h : captured) {
      sb.append(h.getKey()).append(": ").append(h.getValue()).append("\r\n");
    }
    this.head = sb.toString();
  }

  @Override
  public String name() {
    return "bare socket (blocking)";
  }

  @Override
  public synchronized void call(int servers) throws Exception {
    if (socket == null) {
      socket = new Socket();
      socket.setTcpNoDelay(true);
      socket.connect(new InetSocketAddress("127.0.0.1", port));
      out = socket.getOutputStream();
      in = new BufferedInputStream(socket.getInputStream(), 16384);
    }
    byte[] body = Fixtures.body(servers);
    ByteArrayOutputStream req = new ByteArrayOutputStream(1024);
    req.write((head + "Content-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
    req.write(body);
    req.writeTo(out);
    String status = line();
    int len = -1;
    for (String l = line(); !l.isEmpty(); l = line()) {
      if (l.regionMatches(true, 0, "content-length:", 0, 15)) {
        len = Integer.parseInt(l.substring(15).trim());
      }
    }
    byte[] b = in.readNBytes(len);
    Contender.expect("status", 200, Integer.parseInt(status.substring(9, 12)));
    Contender.expect("len", len, b.length);
  }

  private String line() throws IOException {
    StringBuilder sb = new StringBuilder();
    for (int c = in.read(); c != '\n'; c = in.read()) {
      if (c < 0) throw new IOException("eof");
      if (c != '\r') sb.append((char) c);
    }
    return sb.toString();
  }

  @Override
  public CompletableFuture<?> callAsync(int servers) {
    return null;
  }

  @Override
  public void close() {
    try { if (socket != null) socket.close(); } catch (IOException ignored) { }
  }
}
