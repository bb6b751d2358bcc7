package io.github.cphsdk.testsupport;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What the loopback servers of the tests share: a bound {@link ServerSocket} whose connections each get a
 * daemon thread running {@link #serve}, counted, and all closed (their threads interrupted) by {@link #close}.
 */
abstract class LoopbackAcceptor implements AutoCloseable {
  private final ServerSocket socket;
  private final String threadPrefix;
  private final List<Socket> open = new CopyOnWriteArrayList<>();
  private final List<Thread> threads = new CopyOnWriteArrayList<>();
  /** How many connections were accepted. */
  public final AtomicInteger connections = new AtomicInteger();

  LoopbackAcceptor(ServerSocket socket, String threadPrefix) {
    this.socket = socket;
    this.threadPrefix = threadPrefix;
  }

  /** Starts accepting; called by the subclass once it is constructed. */
  final void start() {
    Thread acceptor = new Thread(this::acceptLoop, threadPrefix + "accept-" + socket.getLocalPort());
    acceptor.setDaemon(true);
    acceptor.start();
  }

  /** Serves one connection, on its own thread; the socket is closed afterwards. */
  abstract void serve(Socket s, int connection);

  /** {@return {@code http://127.0.0.1:<port>}, or {@code https://...} on an {@code SSLServerSocket}} */
  URI baseUri() {
    return URI.create((socket instanceof javax.net.ssl.SSLServerSocket ? "https" : "http") + "://127.0.0.1:"
        + socket.getLocalPort());
  }

  /** {@return the port} */
  public int port() {
    return socket.getLocalPort();
  }

  /** {@return whether every accepted connection has ended} */
  final boolean noneOpen() {
    return open.isEmpty();
  }

  private void acceptLoop() {
    while (!socket.isClosed()) {
      Socket s;
      try {
        s = socket.accept();
      } catch (IOException e) {
        return; // closed: the test is over
      }
      int connection = connections.incrementAndGet();
      open.add(s);
      Thread t = new Thread(() -> {
        try (Socket c = s) {
          serve(c, connection);
        } catch (IOException e) {
          // closing anyway
        } finally {
          open.remove(s);
          threads.remove(Thread.currentThread());
        }
      }, threadPrefix + "conn-" + s.getPort());
      t.setDaemon(true);
      threads.add(t);
      t.start();
    }
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
}
