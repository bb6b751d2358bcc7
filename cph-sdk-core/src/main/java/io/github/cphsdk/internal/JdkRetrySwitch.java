package io.github.cphsdk.internal;

import java.io.File;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/**
 * The JVM-wide switch that makes {@code java.net.http} resend any request on its own, POSTs included:
 * {@code jdk.httpclient.enableAllMethodRetry}. Without it, the JDK (17, 21, 25: {@code MultiExchange}) resends
 * by itself only a GET or HEAD whose pooled connection turned out closed before any answer byte
 * ({@code ConnectionExpiredException}), a request whose connection could not be made ({@code ConnectException},
 * nothing sent), and on JDK 21+ an HTTP/2 stream the server refused unprocessed. With it, a POST on a stale
 * connection is sent a second time. The JDK reads the switch once, in a static initializer, from the system
 * property or else from {@code $JAVA_HOME/conf/net.properties}; this class reads it the same way, but on every
 * call, so it also sees a value set after the JDK read it (and then errs on the safe side). It touches no
 * {@code java.net.http} class.
 */
public final class JdkRetrySwitch {
  /** The property's name. */
  public static final String PROPERTY = "jdk.httpclient.enableAllMethodRetry";

  private static final String FROM_FILE = readNetProperties();

  private JdkRetrySwitch() {}

  /** {@return whether java.net.http in this JVM may resend a non-idempotent request on its own} */
  public static boolean resendsAnyMethod() {
    String s;
    try {
      s = System.getProperty(PROPERTY, FROM_FILE);
    } catch (SecurityException e) {
      s = FROM_FILE;
    }
    if (s == null) {
      return false;
    }
    return s.isEmpty() || Boolean.parseBoolean(s);
  }

  /** {@return whether java.net.http resends a request with this method only when the switch is on} */
  public static boolean idempotentForTheJdk(String method) {
    return "GET".equals(method) || "HEAD".equals(method);
  }

  private static String readNetProperties() {
    try {
      String home = System.getProperty("java.home");
      if (home == null) {
        return null;
      }
      File f = new File(new File(home, "conf"), "net.properties");
      if (!f.isFile()) {
        return null;
      }
      Properties p = new Properties();
      try (InputStream in = new FileInputStream(f)) {
        p.load(in);
      }
      return p.getProperty(PROPERTY);
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }
}
