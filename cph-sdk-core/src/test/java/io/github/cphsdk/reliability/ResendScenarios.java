package io.github.cphsdk.reliability;

import io.github.cphsdk.CallListener;
import io.github.cphsdk.CloudPhoneClient;
import io.github.cphsdk.CloudPhoneException;
import io.github.cphsdk.auth.Credentials;
import io.github.cphsdk.http.HttpTransport;
import io.github.cphsdk.model.ShareAppsRequest;
import io.github.cphsdk.retry.RetryPolicy;
import io.github.cphsdk.testsupport.LoopbackServer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The two server behaviours under which an HTTP client might resend a POST on its own, and a count of the
 * POSTs that reach the server. Used in this JVM by {@link JdkResendTest} and in a JVM started with
 * {@code -Djdk.httpclient.enableAllMethodRetry=true} by {@link ResendProgram}.
 */
final class ResendScenarios {
  static final String PROJECT = "0123456789abcdef0123456789abcdef";
  static final String SERVER_ID = "1234567b8bab40ffb711234cb80d0234";
  static final byte[] OK = ("{\"request_id\":\"6837531fd3f54550927b930180a706bf\",\"jobs\":[{\"server_id\":\""
      + SERVER_ID + "\",\"job_id\":\"1564567b8bab40f34711234cb80d0123\"}]}").getBytes(StandardCharsets.UTF_8);

  /** What happens to the second and later requests. */
  enum Behaviour {
    /** Answers every request, then closes the kept-alive connection without saying so (no Connection: close). */
    CLOSES_IDLE_KEPT_ALIVE,
    /** Answers the first request (kept alive); reads every later one whole, then closes without answering. */
    READS_POST_THEN_CLOSES
  }

  /** The outcome of {@link #run}. */
  static final class Outcome {
    int calls;
    int succeeded;
    int failedMayHaveBeenApplied;
    int failedNothingSent;
    int attemptsStarted;
    int postsAtServer;
    String lastError = "";

    @Override
    public String toString() {
      return "calls=" + calls + " ok=" + succeeded + " failed(applied?)=" + failedMayHaveBeenApplied
          + " failed(not sent)=" + failedNothingSent + " attempts=" + attemptsStarted + " POSTs at server="
          + postsAtServer;
    }
  }

  private ResendScenarios() {}

  static LoopbackServer server(Behaviour behaviour) throws java.io.IOException {
    AtomicInteger n = new AtomicInteger();
    return new LoopbackServer((request, out) -> {
      int i = n.incrementAndGet();
      if (behaviour == Behaviour.READS_POST_THEN_CLOSES && i > 1) {
        return false; // read whole, close, no answer
      }
      out.write(LoopbackServer.ascii("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " + OK.length
          + "\r\n\r\n"));
      out.write(OK);
      out.flush();
      return behaviour == Behaviour.READS_POST_THEN_CLOSES; // CLOSES_IDLE_KEPT_ALIVE: close after the answer
    });
  }

  /**
   * Pushes {@code calls} times (sync and async alternating) through a client on {@code transport} (the
   * client's default when {@code null}) with the default retry policy, waiting between calls so that the
   * connection goes idle; counts the POSTs the server received.
   */
  static Outcome run(Behaviour behaviour, HttpTransport transport, int calls) throws Exception {
    Outcome o = new Outcome();
    AtomicInteger attempts = new AtomicInteger();
    try (LoopbackServer server = server(behaviour)) {
      CloudPhoneClient.Builder b = CloudPhoneClient.builder()
          .endpoint(server.endpoint())
          .projectId(PROJECT)
          .credentials(Credentials.token("resend-test-token"))
          .retryPolicy(RetryPolicy.defaults())
          .attemptTimeout(Duration.ofSeconds(10))
          .callTimeout(Duration.ofSeconds(30))
          .listener(new CallListener() {
            @Override
            public void attemptStarted(String operation, String callId, int attempt) {
              attempts.incrementAndGet();
            }
          });
      if (transport != null) {
        b.transport(transport);
      }
      ShareAppsRequest request = ShareAppsRequest.builder().packageName("com.example.app").bucketName("bucket")
          .objectPath("apps/app.tar").addServerIds(SERVER_ID).build();
      try (CloudPhoneClient client = b.build()) {
        for (int i = 0; i < calls; i++) {
          o.calls++;
          try {
            if (i % 2 == 0) {
              client.shareApps(request);
            } else {
              client.shareAppsAsync(request).join();
            }
            o.succeeded++;
          } catch (CloudPhoneException | CompletionException e) {
            CloudPhoneException c = (CloudPhoneException) (e instanceof CompletionException ? e.getCause() : e);
            if (c.mayHaveBeenApplied()) {
              o.failedMayHaveBeenApplied++;
            } else {
              o.failedNothingSent++;
            }
            o.lastError = c.getMessage();
          }
          Thread.sleep(200); // the kept-alive connection goes idle (and, closed by the server, stale)
        }
      }
      o.attemptsStarted = attempts.get();
      o.postsAtServer = (int) server.requests.stream().filter(r -> r.requestLine.startsWith("POST ")).count();
    }
    return o;
  }
}
