package io.github.cphsdk.http;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLSocketFactory;

/** An SSLSocketFactory that counts the sockets it makes, to prove a transport used it. */
final class DelegatingSslSocketFactory extends SSLSocketFactory {
  private final SSLSocketFactory delegate;
  private final AtomicInteger created;

  DelegatingSslSocketFactory(SSLSocketFactory delegate, AtomicInteger created) {
    this.delegate = delegate;
    this.created = created;
  }

  private Socket count(Socket s) {
    created.incrementAndGet();
    return s;
  }

  @Override
  public String[] getDefaultCipherSuites() {
    return delegate.getDefaultCipherSuites();
  }

  @Override
  public String[] getSupportedCipherSuites() {
    return delegate.getSupportedCipherSuites();
  }

  @Override
  public Socket createSocket() throws IOException {
    return count(delegate.createSocket());
  }

  @Override
  public Socket createSocket(Socket s, String host, int port, boolean autoClose) throws IOException {
    return count(delegate.createSocket(s, host, port, autoClose));
  }

  @Override
  public Socket createSocket(String host, int port) throws IOException {
    return count(delegate.createSocket(host, port));
  }

  @Override
  public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
    return count(delegate.createSocket(host, port, localHost, localPort));
  }

  @Override
  public Socket createSocket(InetAddress host, int port) throws IOException {
    return count(delegate.createSocket(host, port));
  }

  @Override
  public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort)
      throws IOException {
    return count(delegate.createSocket(address, port, localAddress, localPort));
  }
}
