package io.github.cphsdk.internal;

import io.github.cphsdk.http.HttpRequest;
import io.github.cphsdk.http.HttpResponse;

/**
 * The SDK's own way into {@link HttpRequest} and {@link HttpResponse} without copies: their body bytes,
 * and adding several headers in one copy of a request. The credentials, the pipeline and the parsers, in
 * other packages, use it on every call; users go through the public methods, which copy. {@code HttpRequest}'s static
 * initializer installs the one implementation (the pattern of the JDK's shared secrets), so it is present
 * whenever an {@code HttpRequest} exists.
 */
public abstract class HttpAccess {
  private static volatile HttpAccess instance;

  protected HttpAccess() {}

  /** Called once, by {@code HttpRequest}'s static initializer; later calls are ignored. */
  public static synchronized void install(HttpAccess access) {
    if (instance == null) {
      instance = access;
    }
  }

  /** {@return the implementation} */
  public static HttpAccess get() {
    HttpAccess a = instance;
    if (a == null) {
      // Only if this thread saw no HttpRequest's initialization yet: run it (it installs the implementation).
      try {
        Class.forName(HttpRequest.class.getName(), true, HttpRequest.class.getClassLoader());
      } catch (ClassNotFoundException e) {
        throw new IllegalStateException(e);
      }
      a = instance;
    }
    return a;
  }

  /**
   * The request's body itself, not a copy: callers only read it.
   *
   * @param request the request
   * @return its body array; empty when it has none
   */
  public abstract byte[] body(HttpRequest request);

  /**
   * {@code request} with headers set as {@link HttpRequest.Builder#setHeader} sets them, one after the
   * other, checked the same way, in one copy.
   *
   * @param request the request
   * @param names header names; a name replaces every earlier header of that name (case-insensitive)
   * @param values their values
   * @param count how many of {@code names} and {@code values} to use
   * @return the new request
   */
  public abstract HttpRequest withHeaders(HttpRequest request, String[] names, String[] values, int count);

  /**
   * Sets the builder's body to {@code body} itself, not a copy: for bodies the SDK serialized and never
   * changes.
   *
   * @param builder the builder
   * @param body the body; nobody may write to it afterwards
   * @return the builder
   */
  public abstract HttpRequest.Builder bodyNoCopy(HttpRequest.Builder builder, byte[] body);

  /**
   * The answer's body itself, not a copy: callers only read it.
   *
   * @param response the answer
   * @return the body bytes the transport kept
   */
  public abstract byte[] body(HttpResponse response);
}
