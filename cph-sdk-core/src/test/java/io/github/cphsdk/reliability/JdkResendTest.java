package io.github.cphsdk.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.cphsdk.CloudPhoneClient;
import io.github.cphsdk.http.HttpTransport;
import java.nio.charset.StandardCharsets;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A push reaches the server at most once per attempt the retry policy allowed, on every transport, when the
 * server closes an idle kept-alive connection and when it reads a whole POST and closes without answering
 * (the cases where an HTTP client may resend on its own). And in a JVM with
 * {@code -Djdk.httpclient.enableAllMethodRetry=true}, where bare java.net.http does resend POSTs, the SDK
 * still sends each at most once.
 */
class JdkResendTest {
  static final int CALLS = 6;

  @ParameterizedTest
  @EnumSource(TransportKind.class)
  void readsPostThenClosesOnePostPerAttempt(TransportKind kind) throws Exception {
    ResendScenarios.Outcome o = run(kind, ResendScenarios.Behaviour.READS_POST_THEN_CLOSES);

    assertEquals(1, o.succeeded, o.toString()); // only the first is answered
    assertEquals(CALLS - 1, o.failedMayHaveBeenApplied, o.toString()); // read by the server: may have been applied
    assertEquals(CALLS, o.attemptsStarted, "never retried after the server read it: " + o);
    assertEquals(CALLS, o.postsAtServer, "exactly one POST per call: " + o);
  }

  @ParameterizedTest
  @EnumSource(TransportKind.class)
  void closesIdleKeptAliveConnectionAtMostOnePostPerAttempt(TransportKind kind) throws Exception {
    ResendScenarios.Outcome o = run(kind, ResendScenarios.Behaviour.CLOSES_IDLE_KEPT_ALIVE);

    assertTrue(o.postsAtServer <= o.attemptsStarted, "more POSTs than attempts: " + o);
    assertTrue(o.postsAtServer >= o.succeeded, o.toString());
    assertEquals(CALLS, o.succeeded + o.failedMayHaveBeenApplied + o.failedNothingSent, o.toString());
  }

  private static ResendScenarios.Outcome run(TransportKind kind, ResendScenarios.Behaviour behaviour) throws Exception {
    CloudPhoneClient.Builder scratch = CloudPhoneClient.builder();
    HttpTransport transport = kind.configure(scratch, null);
    try {
      ResendScenarios.Outcome o = ResendScenarios.run(behaviour, transport, CALLS);
      System.out.println("POST count, JDK " + Runtime.version().feature() + ", " + kind + ", " + behaviour + ": " + o);
      return o;
    } finally {
      if (transport != null) {
        transport.close();
      }
    }
  }

  @Test
  void withEnableAllMethodRetryTheSdkStillSendsOnePostPerAttempt() throws Exception {
    List<String> command = new ArrayList<>();
    command.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-XX:TieredStopAtLevel=1");
    command.add("-Djdk.httpclient.enableAllMethodRetry=true");
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(ResendProgram.class.getName());
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    p.getOutputStream().close();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(120, TimeUnit.SECONDS), out);
    System.out.println("enableAllMethodRetry=true, JDK " + Runtime.version().feature() + ":\n" + out);
    assertEquals(0, p.exitValue(), out);
    assertTrue(out.contains("ALL OK"), out);
    // the control: java.net.http itself resends the POST the server read and dropped
    assertTrue(out.contains("bare.posts=3 for 2 calls"), out);
    // JdkHttpTransport refuses, nothing sent, GET still works
    assertTrue(out.contains("jdk.sync=CONNECT_FAILED: refused to send POST"), out);
    assertTrue(out.contains("jdk.async=CONNECT_FAILED"), out);
    assertTrue(out.contains("jdk.get=200"), out);
    assertTrue(out.contains("jdk.posts=0"), out);
    // the default transport: one POST per call when the server reads and drops it
    assertTrue(out.contains("default.READS_POST_THEN_CLOSES=calls=4 ok=1 failed(applied?)=3 failed(not sent)=0"
        + " attempts=4 POSTs at server=4"), out);
    assertTrue(out.contains("default.CLOSES_IDLE_KEPT_ALIVE=calls=4"), out);
  }
}
