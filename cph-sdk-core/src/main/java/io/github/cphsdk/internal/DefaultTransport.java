package io.github.cphsdk.internal;

import io.github.cphsdk.http.HttpTransport;
import io.github.cphsdk.http.SocketHttpTransport;
import javax.net.ssl.SSLContext;

/**
 * Creates the transport a client uses when it was given none: a {@link SocketHttpTransport}, which needs
 * only {@code java.base} (the connect timeout travels with each request).
 */
public final class DefaultTransport {
  private DefaultTransport() {}

  /**
   * A new {@link SocketHttpTransport}.
   *
   * @param sslContext the TLS trust for https, or {@code null} for the JDK's default
   * @return a transport the client owns and closes
   */
  public static HttpTransport create(SSLContext sslContext) {
    SocketHttpTransport.Builder b = SocketHttpTransport.builder();
    if (sslContext != null) {
      b.sslContext(sslContext);
    }
    return b.build();
  }
}
