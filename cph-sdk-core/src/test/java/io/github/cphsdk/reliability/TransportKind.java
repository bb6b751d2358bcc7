package io.github.cphsdk.reliability;

import io.github.cphsdk.CloudPhoneClient;
import io.github.cphsdk.http.HttpTransport;
import io.github.cphsdk.http.JdkHttpTransport;
import io.github.cphsdk.http.UrlConnectionTransport;
import javax.net.ssl.SSLContext;

/** The transports the reliability suite runs against: each hostile-server and TLS test runs once per kind. */
enum TransportKind {
  /** The client's own default ({@link JdkHttpTransport} on this JVM), created and closed by the client. */
  DEFAULT {
    @Override
    HttpTransport configure(CloudPhoneClient.Builder builder, SSLContext sslContext) {
      if (sslContext != null) {
        builder.sslContext(sslContext);
      }
      return null;
    }
  },

  /** {@link JdkHttpTransport} (java.net.http), given to the client and closed by the test. */
  JDK_HTTP {
    @Override
    HttpTransport configure(CloudPhoneClient.Builder builder, SSLContext sslContext) {
      JdkHttpTransport transport = new JdkHttpTransport(java.time.Duration.ofSeconds(10), sslContext);
      builder.transport(transport);
      return transport;
    }
  },

  /** {@link UrlConnectionTransport} (HttpURLConnection), given to the client and closed by the test. */
  URL_CONNECTION {
    @Override
    HttpTransport configure(CloudPhoneClient.Builder builder, SSLContext sslContext) {
      UrlConnectionTransport.Builder b = UrlConnectionTransport.builder();
      if (sslContext != null) {
        b.sslSocketFactory(sslContext.getSocketFactory());
      }
      UrlConnectionTransport transport = b.build();
      builder.transport(transport);
      return transport;
    }
  };

  /**
   * Sets the transport (and the TLS trust, when not {@code null}) on {@code builder}; returns the transport the
   * test must close, or {@code null} when the client owns it.
   */
  abstract HttpTransport configure(CloudPhoneClient.Builder builder, SSLContext sslContext);
}
