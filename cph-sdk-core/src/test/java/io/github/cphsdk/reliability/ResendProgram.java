package io.github.cphsdk.reliability;

import io.github.cphsdk.http.HttpRequest;
import io.github.cphsdk.http.HttpTransportException;
import io.github.cphsdk.http.JdkHttpTransport;
import io.github.cphsdk.testsupport.LoopbackServer;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutionException;

/**
 * Runs in a JVM started with {@code -Djdk.httpclient.enableAllMethodRetry=true} (by {@link JdkResendTest}):
 * shows that bare java.net.http then resends a POST on its own, that {@link JdkHttpTransport} refuses to send
 * one (nothing reaches the server), and that the client's default transport (then {@code UrlConnectionTransport})
 * sends one POST per attempt. Prints {@code key=value} lines and {@code ALL OK}.
 */
public final class ResendProgram {
  private ResendProgram() {}

  public static void main(String[] args) throws Exception {
    // 1. bare java.net.http: two POSTs, the server reads the second and closes: the JDK sends it again.
    try (LoopbackServer server = ResendScenarios.server(ResendScenarios.Behaviour.READS_POST_THEN_CLOSES)) {
      HttpClient bare = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
      for (int i = 0; i < 2; i++) {
        try {
          bare.send(java.net.http.HttpRequest.newBuilder(server.endpoint().resolve("/p"))
              .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.discarding());
        } catch (java.io.IOException expected) {
          // the second one fails in the end
        }
        Thread.sleep(200);
      }
      System.out.println("bare.posts=" + server.requests.size() + " for 2 calls");
    }

    // 2. JdkHttpTransport refuses, sync and async; nothing reaches the server; a GET still goes.
    try (LoopbackServer server = ResendScenarios.server(ResendScenarios.Behaviour.READS_POST_THEN_CLOSES);
        JdkHttpTransport transport = new JdkHttpTransport()) {
      HttpRequest post = HttpRequest.builder("POST", server.endpoint().resolve("/p"))
          .body("{}".getBytes(StandardCharsets.UTF_8)).build();
      String sync;
      try {
        transport.execute(post);
        sync = "sent";
      } catch (HttpTransportException e) {
        sync = e.kind() + ": " + e.getMessage();
      }
      String async;
      try {
        transport.executeAsync(post).get();
        async = "sent";
      } catch (ExecutionException e) {
        async = ((HttpTransportException) e.getCause()).kind().toString();
      }
      int get = transport.execute(HttpRequest.builder("GET", server.endpoint().resolve("/g")).build()).statusCode();
      System.out.println("jdk.sync=" + sync);
      System.out.println("jdk.async=" + async);
      System.out.println("jdk.get=" + get);
      System.out.println("jdk.posts=" + server.requests.stream().filter(r -> r.requestLine.startsWith("POST ")).count());
    }

    // 3. the client's default transport in such a JVM, both server behaviours.
    for (ResendScenarios.Behaviour b : ResendScenarios.Behaviour.values()) {
      System.out.println("default." + b + "=" + ResendScenarios.run(b, null, 4));
    }
    System.out.println("ALL OK");
  }
}
