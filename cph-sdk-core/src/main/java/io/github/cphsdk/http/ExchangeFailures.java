package io.github.cphsdk.http;

import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;

/**
 * The one table both transports use to turn a failed exchange into an {@link HttpTransportException.Kind}. Each
 * transport states what its JDK API's exception proves (was it a timeout, a failed TLS handshake, proof that
 * nothing was processed; how far the exchange got); the table decides the kind from those facts alone. The
 * call pipeline then maps the kind to a retry category ({@code internal.call.Classifier}).
 */
final class ExchangeFailures {
  private ExchangeFailures() {}

  /**
   * The table, first match wins.
   *
   * @param sent whether any of the request may have been written by now
   * @param timedOut whether the JDK reported a timeout
   * @param tlsFailed whether the JDK reported a failed TLS handshake
   * @param notProcessed whether the exception proves the service processed nothing of the request (no connection
   *     was made, or an HTTP/2 stream was refused before processing), however far the exchange got
   * @return how far the exchange got
   */
  static HttpTransportException.Kind kind(boolean sent, boolean timedOut, boolean tlsFailed, boolean notProcessed) {
    if (timedOut) { // connecting, nothing was sent yet; else waiting for the answer
      return sent ? HttpTransportException.Kind.RESPONSE_TIMEOUT : HttpTransportException.Kind.CONNECT_TIMEOUT;
    }
    if (tlsFailed) { // nothing was sent, and a new handshake would fail the same way
      return HttpTransportException.Kind.TLS_FAILED;
    }
    if (notProcessed || !sent) {
      return HttpTransportException.Kind.CONNECT_FAILED;
    }
    return HttpTransportException.Kind.FAILED_AFTER_SEND;
  }

  /** The JDK's exceptions that prove no connection was made: refused, unknown host, no route. */
  static boolean neverConnected(Throwable e) {
    return e instanceof ConnectException || e instanceof UnknownHostException || e instanceof NoRouteToHostException;
  }

  /** {@link HttpTransportException.Kind#CONNECT_FAILED}: the connection (TCP, proxy tunnel) could not be made. */
  static HttpTransportException couldNotConnect(String host, Throwable e) {
    return new HttpTransportException(HttpTransportException.Kind.CONNECT_FAILED,
        "could not connect to " + host + ": " + e, e);
  }

  /** {@link HttpTransportException.Kind#TLS_FAILED}: the TLS handshake failed. */
  static HttpTransportException tlsFailed(String host, Throwable e) {
    return new HttpTransportException(HttpTransportException.Kind.TLS_FAILED,
        "TLS handshake with " + host + " failed: " + e.getMessage(), e);
  }
}
