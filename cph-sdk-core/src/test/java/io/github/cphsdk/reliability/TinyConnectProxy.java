package io.github.cphsdk.reliability;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A loopback HTTP proxy that knows only {@code CONNECT}: it tunnels, or answers 407 (asking for Basic
 * credentials) or 403, or says nothing at all, as the test chooses. Records the request heads it received.
 */
final class TinyConnectProxy implements AutoCloseable {
  enum Mode { TUNNEL, REQUIRE_AUTH, FORBID, SILENT }

  private final ServerSocket socket;
  private final Mode mode;
  final List<String> heads = new CopyOnWriteArrayList<>();
  private final List<Socket> open = new CopyOnWriteArrayList<>();

  TinyConnectProxy(Mode mode) throws IOException {
    this.mode = mode;
    this.socket = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
    Thread t = new Thread(this::acceptLoop, "tiny-proxy-accept");
    t.setDaemon(true);
    t.start();
  }

  InetSocketAddress address() {
    return new InetSocketAddress("127.0.0.1", socket.getLocalPort());
  }

  private void acceptLoop() {
    while (!socket.isClosed()) {
      try {
        Socket s = socket.accept();
        open.add(s);
        Thread t = new Thread(() -> serve(s), "tiny-proxy-conn");
        t.setDaemon(true);
        t.start();
      } catch (IOException closed) {
        return;
      }
    }
  }

  private void serve(Socket client) {
    try {
      InputStream in = client.getInputStream();
      OutputStream out = client.getOutputStream();
      while (true) {
        String head = readHead(in);
        if (head == null) {
          return;
        }
        heads.add(head);
        switch (mode) {
          case SILENT: // read on, answer nothing, until the client or close() ends the connection
            while (in.read() >= 0) {
              // discard
            }
            return;
          case FORBID:
            out.write(ascii("HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"));
            out.flush();
            client.close();
            return;
          case REQUIRE_AUTH:
            out.write(ascii("HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm=\"cph\"\r\n"
                + "Content-Length: 0\r\n\r\n"));
            out.flush();
            continue; // the client may ask again on this connection
          default:
            tunnel(client, head, in, out);
            return;
        }
      }
    } catch (IOException e) {
      // the client went away
    } finally {
      try {
        client.close();
      } catch (IOException ignored) {
        // closing
      }
    }
  }

  private void tunnel(Socket client, String head, InputStream in, OutputStream out) throws IOException {
    String target = head.split(" ")[1];
    int colon = target.lastIndexOf(':');
    Socket upstream = new Socket(target.substring(0, colon), Integer.parseInt(target.substring(colon + 1)));
    open.add(upstream);
    out.write(ascii("HTTP/1.1 200 Connection Established\r\n\r\n"));
    out.flush();
    Thread back = new Thread(() -> pipe(upstream, client), "tiny-proxy-back");
    back.setDaemon(true);
    back.start();
    pipe(client, upstream);
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
    } catch (IOException e) {
      // one side closed
    } finally {
      try {
        to.shutdownOutput();
      } catch (IOException ignored) {
        // already closed
      }
    }
  }

  private static String readHead(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int last4 = 0;
    while (true) {
      int b = in.read();
      if (b < 0) {
        return null;
      }
      head.write(b);
      last4 = (last4 << 8) | b;
      if (last4 == 0x0d0a0d0a) {
        return head.toString(StandardCharsets.ISO_8859_1.name());
      }
    }
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  @Override
  public void close() throws IOException {
    socket.close();
    for (Socket s : open) {
      s.close();
    }
  }
}
