package io.github.cphsdk;

import io.github.cphsdk.http.HttpRequest;
import io.github.cphsdk.http.HttpResponse;
import io.github.cphsdk.http.HttpTransport;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.RecordedRequest;

/**
 * A scripted job service for waiter tests: show job and list jobs (request_id / request_ids, offset, limit)
 * over jobs whose status follows a {@link FakeTiming}'s clock. Served over real HTTP (as a MockWebServer
 * {@link #dispatcher()}) or in memory ({@link #transport()}, answers on the calling thread, for async tests
 * driven by the fake timer). Records the virtual time and target of every request.
 */
final class JobsBackend {
  static final String PREFIX = "/v1/" + CloudPhoneClientTest.PROJECT + "/cloud-phone/jobs";

  final FakeTiming timing;
  private final long t0;
  private final Map<String, Spec> jobs = new LinkedHashMap<>();
  private final Deque<int[]> statusFaults = new ArrayDeque<>();
  final List<String> targets = new ArrayList<>();
  final List<Duration> times = new ArrayList<>();

  static final class Spec {
    final String requestId;
    final String serverId;
    final String jobId;
    Duration finishAt = Duration.ofSeconds(30);
    int finalStatus = 2;
    int runningStatus = 1;
    String errorCode;
    String errorMsg;
    String executeMsg;

    Spec(String requestId, String serverId, String jobId) {
      this.requestId = requestId;
      this.serverId = serverId;
      this.jobId = jobId;
    }

    Spec finishesAt(Duration at, int status) {
      this.finishAt = at;
      this.finalStatus = status;
      return this;
    }

    Spec fails(String code, String msg, String exec) {
      this.finalStatus = -1;
      this.errorCode = code;
      this.errorMsg = msg;
      this.executeMsg = exec;
      return this;
    }

    Spec never(int status) {
      this.finishAt = Duration.ofDays(365);
      this.runningStatus = status;
      return this;
    }
  }

  JobsBackend(FakeTiming timing) {
    this.timing = timing;
    this.t0 = timing.nanoTime();
  }

  synchronized Spec job(String requestId, String serverId, String jobId) {
    Spec s = new Spec(requestId, serverId, jobId);
    jobs.put(jobId, s);
    return s;
  }

  /** The next {@code times} requests are answered with {@code status} and a CPS-style error body. */
  synchronized void failNext(int status, int times) {
    for (int i = 0; i < times; i++) {
      statusFaults.add(new int[] {status});
    }
  }

  synchronized List<String> targets() {
    return new ArrayList<>(targets);
  }

  synchronized List<Duration> times() {
    return new ArrayList<>(times);
  }

  /** {status, body} for a request. */
  synchronized Object[] answer(String method, String target) {
    Duration now = Duration.ofNanos(timing.nanoTime() - t0);
    targets.add(method + " " + target);
    times.add(now);
    int[] fault = statusFaults.poll();
    if (fault != null) {
      return new Object[] {fault[0], "{\"error_code\":\"" + (fault[0] == 401 ? "APIGW.0301" : "CPS.0003")
          + "\",\"error_msg\":\"injected\",\"request_id\":\"err\"}"};
    }
    if (!method.equals("GET") || !target.startsWith(PREFIX)) {
      return new Object[] {404, "{\"error_code\":\"APIGW.0101\",\"error_msg\":\"no such API\"}"};
    }
    String rest = target.substring(PREFIX.length());
    if (rest.startsWith("/")) {
      Spec s = jobs.get(rest.substring(1));
      return s == null ? new Object[] {404, "{\"error_code\":\"CPS.0018\",\"error_msg\":\"Job is not found.\"}"}
          : new Object[] {200, json(s, now)};
    }
    Map<String, String> q = new LinkedHashMap<>();
    for (String kv : rest.substring(1).split("&")) {
      int eq = kv.indexOf('=');
      q.put(kv.substring(0, eq), URLDecoder.decode(kv.substring(eq + 1), StandardCharsets.UTF_8));
    }
    Set<String> wanted = new LinkedHashSet<>(List.of(q.getOrDefault("request_ids", q.getOrDefault("request_id", ""))
        .split(",")));
    int offset = Integer.parseInt(q.getOrDefault("offset", "0"));
    int limit = Integer.parseInt(q.getOrDefault("limit", "100"));
    List<Spec> matching = new ArrayList<>();
    for (String id : wanted) {
      jobs.values().stream().filter(s -> s.requestId.equals(id)).forEach(matching::add);
    }
    StringBuilder body = new StringBuilder("{\"request_id\":\"list-" + targets.size() + "\",\"jobs\":[");
    for (int i = offset; i < matching.size() && i < offset + limit; i++) {
      body.append(i > offset ? "," : "").append(json(matching.get(i), now));
    }
    return new Object[] {200, body.append("]}").toString()};
  }

  private static String json(Spec s, Duration now) {
    boolean done = now.compareTo(s.finishAt) >= 0;
    StringBuilder b = new StringBuilder("{\"request_id\":\"").append(s.requestId).append("\",\"server_id\":\"")
        .append(s.serverId).append("\",\"job_id\":\"").append(s.jobId).append("\",\"begin_time\":\"2026-11-27T12:00:00Z\"")
        .append(",\"end_time\":").append(done ? "\"2026-11-27T12:01:00Z\"" : "null")
        .append(",\"status\":").append(done ? s.finalStatus : s.runningStatus);
    if (done && s.finalStatus == -1) {
      b.append(",\"error_code\":\"").append(s.errorCode).append("\",\"error_msg\":\"").append(s.errorMsg)
          .append("\",\"execute_msg\":\"").append(s.executeMsg).append('"');
    }
    return b.append(",\"some_new_field\":{\"x\":[1,2]}}").toString();
  }

  Dispatcher dispatcher() {
    return new Dispatcher() {
      @Override
      public MockResponse dispatch(RecordedRequest request) {
        Object[] a = answer(request.getMethod(), request.getTarget());
        return new MockResponse.Builder().code((Integer) a[0]).addHeader("Content-Type", "application/json")
            .body((String) a[1]).build();
      }
    };
  }

  HttpTransport transport() {
    return new HttpTransport() {
      @Override
      public HttpResponse execute(HttpRequest request) throws IOException {
        String target = request.uri().getRawPath() + (request.uri().getRawQuery() == null ? ""
            : "?" + request.uri().getRawQuery());
        Object[] a = answer(request.method(), target);
        return HttpResponse.of((Integer) a[0], Map.of("Content-Type", List.of("application/json")),
            ((String) a[1]).getBytes(StandardCharsets.UTF_8), false);
      }

      @Override
      public CompletableFuture<HttpResponse> executeAsync(HttpRequest request) {
        try {
          return CompletableFuture.completedFuture(execute(request));
        } catch (IOException e) {
          return CompletableFuture.failedFuture(e);
        }
      }
    };
  }
}
