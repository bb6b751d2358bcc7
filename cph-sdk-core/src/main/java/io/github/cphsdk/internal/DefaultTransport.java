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

  /**
   * A new {@link JdkHttpTransport}.
   *
   * @throws IllegalStateException when this runtime has no {@code java.net.http} (Android, a trimmed runtime,
   *     a module path without it); the message says what to do instead
   */
  public static HttpTransport create(Duration connectTimeout, SSLContext sslContext) {
    try {
      return new JdkHttpTransport(connectTimeout, sslContext);
    } catch (NoClassDefFoundError e) {
      throw new IllegalStateException("the default transport needs the module java.net.http, which this runtime "
          + "does not have (Android, a trimmed runtime, or a module path without it): give the client "
          + ".transport(new UrlConnectionTransport()), or add the module (requires java.net.http, or "
          + "--add-modules java.net.http)", e);
    }
  }
}
