/**
 * cph-sdk core: the client for Huawei Cloud Phone Host's "push shared applications" API.
 *
 * <pre>{@code
 * module my.app {
 *   requires io.github.cphsdk;
 *   requires java.net.http;   // only when you give the client a JdkHttpTransport
 * }
 * }</pre>
 *
 * <p>{@code java.net.http} is an optional dependency ({@code requires static}): the module resolves without
 * it, and then only {@link io.github.cphsdk.http.JdkHttpTransport} is unavailable (the default transport,
 * {@link io.github.cphsdk.http.SocketHttpTransport}, needs only {@code java.base}). Applications on the class path need nothing of this.
 * The package {@code io.github.cphsdk.internal} is not exported.
 */
module io.github.cphsdk {
  requires com.fasterxml.jackson.core;
  requires org.slf4j;
  requires static java.net.http;
  requires static org.immutables.value; // annotations only, read at compile time

  exports io.github.cphsdk;
  exports io.github.cphsdk.auth;
  exports io.github.cphsdk.http;
  exports io.github.cphsdk.model;
  exports io.github.cphsdk.retry;
  exports io.github.cphsdk.rollout;
}
