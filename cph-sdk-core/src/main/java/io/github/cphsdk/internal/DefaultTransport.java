package io.github.cphsdk.internal;

import io.github.cphsdk.http.HttpTransport;
import io.github.cphsdk.http.JdkHttpTransport;
import java.time.Duration;
import javax.net.ssl.SSLContext;

/**
 * Creates the default transport. Kept apart from the client so that {@code java.net.http} is loaded only
 * when this method runs, i.e. only when the user gave no transport.
 */
public final class DefaultTransport {
  private DefaultTransport() {}

  /** A new {@link JdkHttpTransport}. */
  public static HttpTransport create(Duration connectTimeout, SSLContext sslContext) {
    return new JdkHttpTransport(connectTimeout, sslContext);
  }
}
