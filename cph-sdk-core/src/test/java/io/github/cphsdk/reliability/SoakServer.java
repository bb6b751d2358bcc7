package io.github.cphsdk.reliability;

import com.fasterxml.jackson.annotation.JsonAutoDetect;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.cphsdk.testkit.FakeCloudPhoneServer;
import io.github.cphsdk.testkit.Fault;
import io.github.cphsdk.testkit.Operation;
import io.github.cphsdk.testkit.RecordedRequest;
import java.io.BufferedOutputStream;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * The soak test's server: a {@link FakeCloudPhoneServer} in its own JVM, so that the client JVM's heap and
 * thread figures measure the SDK alone (the emulator keeps every job it starts, which would otherwise look
 * like a leak). It arms faults continuously (after each push it receives, with probability {@code faultRate},
 * one more single-shot fault for a later push) and reports every request it receives on stdout.
 *
 * <p>Protocol (one ASCII line each): out {@code PORT <port>}; then per request
 * {@code R <sequence> <call index or -1> <X-Client-Request-Id or -> <status (0 = dropped)> <applied 0|1>};
 * in: any line (or end of input) stops the server, which then prints {@code F <fault kind> <armed>} per kind
 * and {@code END}.
 */
public final class SoakServer {
  /** The kinds of fault the soak injects. */
  enum FaultKind {
    UNAVAILABLE_503, THROTTLED_429, INTERNAL_500, DROP_NOT_APPLIED, DROP_AFTER_APPLYING, SLOW_ANSWER,
    ANSWER_AFTER_ATTEMPT_TIMEOUT
  }

  static final String TOKEN = "soak-token-0123456789";
  static final String OBJECT_PREFIX = "soak/c";

  private SoakServer() {}

  public static void main(String[] args) throws Exception {
    long seed = Long.parseLong(args[0]);
    double faultRate = Double.parseDouble(args[1]);
    Duration attemptTimeout = Duration.ofMillis(Long.parseLong(args[2]));
    Random random = new Random(seed);
    Map<FaultKind, Integer> armed = new EnumMap<>(FaultKind.class);
    PrintStream out = new PrintStream(new BufferedOutputStream(System.out, 1 << 16), false, StandardCharsets.US_ASCII);
    Object lock = new Object();
    FakeCloudPhoneServer[] holder = new FakeCloudPhoneServer[1];

    FakeCloudPhoneServer server = FakeCloudPhoneServer.builder()
        .token(TOKEN)
        .threads(64)
        .onRequest(r -> {
          String line = "R " + r.sequence() + ' ' + callIndex(r) + ' ' + r.header("X-Client-Request-Id").orElse("-")
              + ' ' + r.responseStatus() + ' ' + (r.applied() ? 1 : 0);
          Fault next = null;
          synchronized (lock) {
            out.println(line);
            if (r.operation() == Operation.PUSH && random.nextDouble() < faultRate) {
              FaultKind kind = pick(random);
              armed.merge(kind, 1, Integer::sum);
              next = fault(kind, random, attemptTimeout);
            }
          }
          if (next != null && holder[0] != null) {
            holder[0].injectFault(next.on(Operation.PUSH));
          }
        })
        .start();
    holder[0] = server;
    synchronized (lock) {
      out.println("PORT " + server.endpoint().getPort());
      out.flush();
    }
    try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.US_ASCII))) {
      in.readLine();
    }
    server.close();
    synchronized (lock) {
      for (FaultKind k : FaultKind.values()) {
        out.println("F " + k + ' ' + armed.getOrDefault(k, 0));
      }
      out.println("END");
      out.flush();
    }
  }

  /** The fault mix: mostly "did not act" answers, some ambiguous failures, some slow answers. */
  static FaultKind pick(Random random) {
    int p = random.nextInt(100);
    if (p < 25) {
      return FaultKind.UNAVAILABLE_503;
    } else if (p < 45) {
      return FaultKind.THROTTLED_429;
    } else if (p < 58) {
      return FaultKind.INTERNAL_500;
    } else if (p < 71) {
      return FaultKind.DROP_NOT_APPLIED;
    } else if (p < 81) {
      return FaultKind.DROP_AFTER_APPLYING;
    } else if (p < 99) {
      return FaultKind.SLOW_ANSWER;
    }
    return FaultKind.ANSWER_AFTER_ATTEMPT_TIMEOUT;
  }

  static Fault fault(FaultKind kind, Random random, Duration attemptTimeout) {
    switch (kind) {
      case UNAVAILABLE_503:
        // Retry-After 0 or 1 s; the client caps it (maxRetryAfter) so the soak does not stall.
        return Fault.serviceUnavailable(Duration.ofSeconds(random.nextInt(2)));
      case THROTTLED_429:
        return random.nextBoolean() ? Fault.throttled() : Fault.throttled(Duration.ofSeconds(1));
      case INTERNAL_500:
        return Fault.internalError();
      case DROP_NOT_APPLIED:
        return Fault.dropConnection();
      case DROP_AFTER_APPLYING:
        return Fault.dropConnectionAfterApplying();
      case SLOW_ANSWER:
        return Fault.delay(Duration.ofMillis(5 + random.nextInt(150)));
      default:
        return Fault.delay(attemptTimeout.plusMillis(500));
    }
  }

  /** The call index the soak put in the object path ({@code soak/c<index>.tar}), or -1. */
  static int callIndex(RecordedRequest r) {
    String body = r.bodyUtf8();
    int at = body.indexOf(OBJECT_PREFIX);
    if (at < 0) {
      return -1;
    }
    int end = body.indexOf(".tar", at);
    try {
      return Integer.parseInt(body.substring(at + OBJECT_PREFIX.length(), end));
    } catch (RuntimeException e) {
      return -1;
    }
  }

  /** The command that starts this server in a fresh JVM, with only what it needs on the class path. */
  static List<String> command(long seed, double faultRate, Duration attemptTimeout) {
    List<String> cmd = new ArrayList<>();
    cmd.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-Xmx512m");
    cmd.add("-XX:+UseSerialGC");
    cmd.add("-cp");
    StringBuilder cp = new StringBuilder();
    for (Class<?> c : new Class<?>[] {SoakServer.class, FakeCloudPhoneServer.class, ObjectMapper.class,
        JsonFactory.class, JsonAutoDetect.class}) {
      if (cp.length() > 0) {
        cp.append(java.io.File.pathSeparatorChar);
      }
      cp.append(location(c));
    }
    cmd.add(cp.toString());
    cmd.add(SoakServer.class.getName());
    cmd.add(Long.toString(seed));
    cmd.add(Double.toString(faultRate));
    cmd.add(Long.toString(attemptTimeout.toMillis()));
    return cmd;
  }

  private static Path location(Class<?> c) {
    try {
      return Paths.get(c.getProtectionDomain().getCodeSource().getLocation().toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Waits for a process to end, killing it when it does not within the bound. */
  static void stop(Process p, long seconds) throws InterruptedException {
    if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      p.waitFor(seconds, TimeUnit.SECONDS);
    }
  }
}
