package io.github.cphsdk.internal;

/**
 * How far an exchange got, told by the future a transport returns from {@code executeAsync} when it knows.
 * The call pipeline asks it when the attempt's own timer ends an exchange, so that a call whose connection
 * (or TLS handshake, or proxy tunnel) never completed is reported as "nothing was sent" rather than judged by
 * "the request was handed to the transport". Transports that do not implement it are judged the old way.
 */
public interface ExchangeProgress {
  /**
   * {@return false only when the transport knows that no byte of the request's body has left it (the
   * connection, TLS handshake or proxy tunnel was not ready); true when it may have been sent or it cannot tell}
   */
  boolean requestMayHaveBeenSent();
}
