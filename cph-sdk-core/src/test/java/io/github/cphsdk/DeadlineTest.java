package io.github.cphsdk;

import static io.github.cphsdk.CloudPhoneClientTest.DOC_ANSWER;
import static io.github.cphsdk.CloudPhoneClientTest.PROJECT;
import static io.github.cphsdk.CloudPhoneClientTest.TOKEN;
import static io.github.cphsdk.CloudPhoneClientTest.request;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.cphsdk.Harness.Mode;
import io.github.cphsdk.auth.Credentials;
import io.github.cphsdk.retry.BackoffStrategy;
import io.github.cphsdk.retry.RetryPolicy;
import java.io.IOException;
import java.net.InetAddress;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The call deadline and the attempt timeout against a server that never answers. These need real time
 * (a real exchange must be cut), so the timeouts are a few hundred milliseconds; nothing asserts on how
 * long anything took: the messages say which limit cut the call, and the server's 30 s delay would make
 * any missing cut fail the bounded waits.
 */
class DeadlineTest {
  MockWebServer server;
  CloudPhoneClient client;

  @BeforeEach
  void start() throws IOException {
    server = new MockWebServer();
    server.start(InetAddress.getByName("127.0.0.1"), 0);
  }

  @AfterEach
  void stop() {
    if (client != null) {
      client.close();
    }
    server.close();
  }

  void client(UnaryOperator<CloudPhoneClient.Builder> settings) {
    client = settings.apply(CloudPhoneClient.builder()
        .endpoint(server.url("/").uri())
        .projectId(PROJECT)
        .credentials(Credentials.token(TOKEN))).build();
  }

  static MockResponse hanging() {
    return new MockResponse.Builder().headersDelay(30, TimeUnit.SECONDS).body(DOC_ANSWER).build();
  }

  CloudPhoneException pushFails(Mode mode) {
    if (mode == Mode.SYNC) {
      return assertThrows(CloudPhoneException.class, () -> client.shareApps(request()));
    }
    ExecutionException e = assertThrows(ExecutionException.class,
        () -> client.shareAppsAsync(request()).get(20, TimeUnit.SECONDS));
    return assertInstanceOf(CloudPhoneException.class, e.getCause());
  }

  @ParameterizedTest
  @EnumSource(Mode.class)
  void theCallDeadlineCutsAHungExchange(Mode mode) {
    client(b -> b.attemptTimeout(Duration.ofSeconds(25)).callTimeout(Duration.ofMillis(400)));
    server.enqueue(hanging());

    CloudPhoneException e = pushFails(mode);

    CloudPhoneTimeoutException timeout = assertInstanceOf(CloudPhoneTimeoutException.class, e);
    assertTrue(timeout.mayHaveBeenApplied(), "the request was sent: the push may have started");
    assertEquals(1, timeout.attempts());
    assertTrue(timeout.getMessage().contains("within the call timeout"), timeout.getMessage());
    assertEquals(1, server.getRequestCount());
  }

  @ParameterizedTest
  @EnumSource(Mode.class)
  void theCallDeadlineAlsoEndsRetriesOfAHungExchange(Mode mode) {
    // With the opt-in, a cut attempt could be retried, but no time is left for it.
    client(b -> b.attemptTimeout(Duration.ofSeconds(25)).callTimeout(Duration.ofMillis(400))
        .retryPolicy(RetryPolicy.builder().retryAmbiguousFailures(true).backoff(BackoffStrategy.none()).build()));
    server.enqueue(hanging());
    server.enqueue(hanging());

    CloudPhoneException e = pushFails(mode);

    assertTrue(e.mayHaveBeenApplied());
    assertTrue(e.getMessage().contains("call timeout"), e.getMessage());
    assertTrue(e.attempts() <= 2, "at most the cut attempt and one that found no time left: " + e.attempts());
  }

  @ParameterizedTest
  @EnumSource(Mode.class)
  void eachAttemptIsBoundedByTheAttemptTimeout(Mode mode) {
    client(b -> b.attemptTimeout(Duration.ofMillis(300)).callTimeout(Duration.ofSeconds(25))
        .retryPolicy(RetryPolicy.builder().maxAttempts(2).retryAmbiguousFailures(true)
            .backoff(BackoffStrategy.none()).build()));
    server.enqueue(hanging());
    server.enqueue(hanging());

    CloudPhoneException e = pushFails(mode);

    CloudPhoneTimeoutException timeout = assertInstanceOf(CloudPhoneTimeoutException.class, e);
    assertEquals(2, timeout.attempts(), "both attempts were cut, each by its own timeout");
    assertTrue(timeout.mayHaveBeenApplied());
    assertTrue(timeout.getMessage().contains("within the attempt timeout of 300 ms"), timeout.getMessage());
    CloudPhoneTimeoutException first = assertInstanceOf(CloudPhoneTimeoutException.class, timeout.getSuppressed()[0]);
    assertTrue(first.getMessage().contains("within the attempt timeout of 300 ms"), first.getMessage());
    assertEquals(2, server.getRequestCount());
  }
}
