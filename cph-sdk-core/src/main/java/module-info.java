/**
 * cph-sdk core: the client for Huawei Cloud Phone Host's "push shared applications" API.
 *
 * <pre>{@code
 * module my.app {
 *   requires io.github.cphsdk;
 *   requires java.net.http;   // for JdkHttpTransport, the default where this module is present
 * }
 * }</pre>
 *
 * <p>{@code java.net.http} is an optional dependency ({@code requires static}): the module resolves without
 * it, and then {@link io.github.cphsdk.http.JdkHttpTransport} is unavailable and the client's default
 * transport is {@link io.github.cphsdk.http.UrlConnectionTransport}, which needs only {@code java.base}; with it
 * (a module that {@code requires java.net.http}, or {@code --add-modules java.net.http}) the default is
 * {@code JdkHttpTransport}. Applications on the class path need nothing of this.
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
