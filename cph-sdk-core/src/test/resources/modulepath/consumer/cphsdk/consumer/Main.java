package cphsdk.consumer;

import io.github.cphsdk.CloudPhoneClient;
import io.github.cphsdk.CloudPhoneTransportException;
import io.github.cphsdk.auth.Credentials;
import io.github.cphsdk.http.HttpTransport;
import io.github.cphsdk.http.HttpTransportException;
import io.github.cphsdk.http.JdkHttpTransport;
import io.github.cphsdk.http.UrlConnectionTransport;
import io.github.cphsdk.model.ShareAppsRequest;
import io.github.cphsdk.retry.RetryPolicy;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.util.Set;
import java.util.TreeSet;

/** A module that uses cph-sdk from the module path; compiled and run by ModulePathTest. */
public final class Main {
  private static final String PROJECT = "0123456789abcdef0123456789abcdef";

  public static void main(String[] args) throws Exception {
    Module core = CloudPhoneClient.class.getModule();
    check(core.isNamed() && core.getName().equals("io.github.cphsdk"), "core is the named module: " + core);
    Set<String> exported = new TreeSet<>();
    for (String p : core.getPackages()) {
      if (core.isExported(p)) {
        exported.add(p);
      }
    }
    check(exported.equals(new TreeSet<>(Set.of("io.github.cphsdk", "io.github.cphsdk.auth", "io.github.cphsdk.http",
        "io.github.cphsdk.model", "io.github.cphsdk.retry", "io.github.cphsdk.rollout"))), "exported: " + exported);
    check(core.getPackages().contains("io.github.cphsdk.internal"), "internal is there, just not exported");
    System.out.println("OK exports " + exported);

    ShareAppsRequest request = ShareAppsRequest.builder()
        .packageName("com.example.app").bucketName("bucket").objectPath("apps/app.tar")
        .addServerIds("1234567b8bab40ffb711234cb80d0234").build();
    int closedPort;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      closedPort = s.getLocalPort();
    }
    URI endpoint = URI.create("http://127.0.0.1:" + closedPort);
    try (UrlConnectionTransport transport = new UrlConnectionTransport()) {
      pushToNobody(request, endpoint, transport);
    }
    System.out.println("OK push through UrlConnectionTransport: serialized, authorized, sent, classified");

    pushToNobody(request, endpoint, null);
    System.out.println("OK push through the default transport");

    boolean javaNetHttp = ModuleLayer.boot().findModule("java.net.http").isPresent();
    try {
      new JdkHttpTransport().close();
      check(javaNetHttp, "JdkHttpTransport must fail without java.net.http");
      System.out.println("OK JdkHttpTransport on java.net.http");
    } catch (NoClassDefFoundError e) {
      check(!javaNetHttp, "JdkHttpTransport must work with java.net.http: " + e);
      System.out.println("OK JdkHttpTransport needs java.net.http");
    }
    System.out.println("ALL OK");
  }

  /** A push to a port nobody listens on, through {@code transport} (null: the default one): CONNECT_FAILED. */
  private static void pushToNobody(ShareAppsRequest request, URI endpoint, HttpTransport transport) {
    CloudPhoneClient.Builder builder = CloudPhoneClient.builder().endpoint(endpoint).projectId(PROJECT)
        .credentials(Credentials.token("module-path-token")).retryPolicy(RetryPolicy.none());
    if (transport != null) {
      builder.transport(transport);
    }
    try (CloudPhoneClient client = builder.build()) {
      client.shareApps(request);
      throw new AssertionError("nothing listens on " + endpoint);
    } catch (CloudPhoneTransportException e) {
      check(!e.mayHaveBeenApplied(), "a refused connection sent nothing");
      check(e.getCause() instanceof HttpTransportException
          && ((HttpTransportException) e.getCause()).kind() == HttpTransportException.Kind.CONNECT_FAILED,
          "classified as CONNECT_FAILED: " + e.getCause());
    }
  }

  private static void check(boolean condition, String what) {
    if (!condition) {
      throw new AssertionError(what);
    }
  }
}
