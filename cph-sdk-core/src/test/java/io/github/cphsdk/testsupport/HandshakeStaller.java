package io.github.cphsdk.testsupport;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A loopback TCP server for {@code https} endpoints whose TLS handshake never completes: it accepts
 * connections and either reads (the ClientHello) and never answers ({@link Mode#STALL}), or sends a TLS record
 * header announcing 16 KiB and then one byte every 100 ms, each restarting a socket read timeout
 * ({@link Mode#DRIP}, for two minutes at the most). Counts connections and the bytes it read; {@link #close}
 * ends every connection.
 */
public final class HandshakeStaller extends LoopbackAcceptor {
  /** How the server treats each connection. */
  public enum Mode {
    /** Reads everything, answers nothing. */
    STALL,
    /** Answers with a handshake record that never ends, a byte every 100 ms. */
    DRIP
  }

  private final Mode mode;
  /** How many bytes were read from clients ({@link Mode#STALL}). */
  public final AtomicLong bytesRead = new AtomicLong();

  /**
   * Starts a server on an ephemeral port of 127.0.0.1.
   *
   * @param mode what it does with each connection
   * @throws IOException when no port could be opened
   */
  public HandshakeStaller(Mode mode) throws IOException {
    super(new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1")), "handshake-staller-");
    this.mode = mode;
    start();
  }

  /** {@return {@code https://127.0.0.1:<port>}} */
  public URI endpoint() {
    return URI.create("https://127.0.0.1:" + port());
  }

  /**
   * The endpoint with a path.
   *
   * @param path starting with {@code /}
   * @return e.g. {@code https://127.0.0.1:<port>/path}
   */
  public URI uri(String path) {
    return URI.create(endpoint() + path);
  }

  @Override
  void serve(Socket c, int connection) {
    try {
      if (mode == Mode.DRIP) {
        OutputStream out = c.getOutputStream();
        out.write(new byte[] {0x16, 0x03, 0x03, 0x40, 0x00}); // a handshake record of 16 KiB follows
        for (int i = 0; i < 1200; i++) {
          out.write(0x02);
          out.flush();
          Thread.sleep(100);
        }
      } else {
        InputStream in = c.getInputStream();
        byte[] buf = new byte[4096];
        for (int n = in.read(buf); n >= 0; n = in.read(buf)) {
          bytesRead.addAndGet(n);
        }
      }
    } catch (IOException e) {
      // the client hung up, or the test is over
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
