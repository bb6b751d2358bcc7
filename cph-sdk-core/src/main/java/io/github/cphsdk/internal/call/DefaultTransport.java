package io.github.cphsdk.internal.call;

import io.github.cphsdk.http.HttpTransport;
import io.github.cphsdk.http.HttpVersion;
import io.github.cphsdk.http.JdkHttpTransport;
import io.github.cphsdk.http.UrlConnectionTransport;
import io.github.cphsdk.internal.JdkRetrySwitch;
import java.net.Authenticator;
import java.net.ProxySelector;
import java.time.Duration;
import javax.net.ssl.SSLContext;

/**
 * Creates the transport a client uses when it was given none: {@link JdkHttpTransport} where the module
 * {@code java.net.http} is present, else {@link UrlConnectionTransport} (Android, a runtime trimmed with
 * {@code --limit-modules}, a module path that does not resolve {@code java.net.http}). The check looks for the
 * class file as a resource and loads no class of {@code java.net.http}; {@link JdkHttpTransport} is touched
 * only when it passes. A JVM where java.net.http would resend POSTs on its own
 * ({@link JdkRetrySwitch}) gets {@link UrlConnectionTransport} too.
 */
public final class DefaultTransport {
  private DefaultTransport() {}

  /** What the client's builder says about the default transport. */
  public static final class Settings {
    public Duration connectTimeout = Duration.ofSeconds(10);
    public SSLContext sslContext;
    public ProxySelector proxy;
    public Authenticator proxyAuthenticator;
    public HttpVersion httpVersion = HttpVersion.HTTP_2;
  }

  /** {@return whether this runtime has java.net.http, found without loading any of its classes} */
  public static boolean javaNetHttpAvailable() {
    ClassLoader loader = DefaultTransport.class.getClassLoader();
    try {
      return (loader != null ? loader.getResource("java/net/http/HttpClient.class")
          : ClassLoader.getSystemResource("java/net/http/HttpClient.class")) != null;
    } catch (RuntimeException e) {
      return false;
    }
  }

  /**
   * A new transport for a client that was given none.
   *
   * @param s the builder's settings
   * @return a transport the client owns and closes
   */
  public static HttpTransport create(Settings s) {
    if (javaNetHttpAvailable() && !JdkRetrySwitch.resendsAnyMethod()) {
      return Jdk.create(s);
    }
    UrlConnectionTransport.Builder b = UrlConnectionTransport.builder();
    if (s.sslContext != null) {
      b.sslSocketFactory(s.sslContext.getSocketFactory());
    }
    return b.build();
  }

  /** Holds the only reference to JdkHttpTransport, so that it is resolved only when this runs. */
  private static final class Jdk {
    static HttpTransport create(Settings s) {
      JdkHttpTransport.Builder b = JdkHttpTransport.builder().connectTimeout(s.connectTimeout).httpVersion(s.httpVersion);
      if (s.sslContext != null) {
        b.sslContext(s.sslContext);
      }
      if (s.proxy != null) {
        b.proxy(s.proxy);
      }
      if (s.proxyAuthenticator != null) {
        b.proxyAuthenticator(s.proxyAuthenticator);
      }
      return b.build();
    }
  }
}
