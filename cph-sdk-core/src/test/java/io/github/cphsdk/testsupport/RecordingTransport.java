package io.github.cphsdk.testsupport;

import io.github.cphsdk.http.HttpRequest;
import io.github.cphsdk.http.HttpResponse;
import io.github.cphsdk.http.HttpTransport;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * A transport for tests that records every request it is given, and either answers each with one canned
 * answer ({@link #answering}) or hands it to a real transport ({@link #delegatingTo}), keeping the exchange
 * futures that transport hands out (the ones a call must cancel).
 *
 * <pre>{@code
 * RecordingTransport t = RecordingTransport.answering(RecordingTransport.pushAnswer());
 * client(b -> b.transport(t)).shareApps(request);
 * t.last().uri();   // what was sent
 * t.count();        // how many requests
 * }</pre>
 *
 * <p>Options: {@link #advancingClock} moves a fake clock forward on every exchange (so attempts take a known
 * time); {@link #asyncOnly} fails any synchronous {@code execute}. A subclass may override {@link #execute} to
 * answer some requests itself: a canned transport's {@link #executeAsync} goes through {@code execute}.
 */
public class RecordingTransport implements HttpTransport {
  /** A push answer with no jobs: {@code {"request_id":"r","jobs":[]}}. */
  public static final String PUSH_ANSWER = "{\"request_id\":\"r\",\"jobs\":[]}";

  private final HttpResponse answer;
  private final HttpTransport delegate;
  private final List<HttpRequest> requests = new ArrayList<>(); // guarded by itself
  private final List<CompletableFuture<HttpResponse>> exchanges = new ArrayList<>(); // guarded by itself
  private volatile Consumer<Duration> clock;
  private volatile Duration perExchange = Duration.ZERO;
  private volatile boolean asyncOnly;

  /**
   * A transport answering every request with {@code answer}, for subclasses.
   *
   * @param answer the answer to every request
   */
  protected RecordingTransport(HttpResponse answer) {
    this.answer = Objects.requireNonNull(answer, "answer");
    this.delegate = null;
  }

  private RecordingTransport(HttpTransport delegate) {
    this.answer = null;
    this.delegate = Objects.requireNonNull(delegate, "delegate");
  }

  /**
   * A transport answering every request with {@code answer} (synchronously, and as a completed future).
   *
   * @param answer the answer to every request
   * @return a new transport
   */
  public static RecordingTransport answering(HttpResponse answer) {
    return new RecordingTransport(answer);
  }

  /**
   * A transport that sends every request through {@code real} and closes it when closed.
   *
   * @param real the transport that does the exchanges
   * @return a new transport
   */
  public static RecordingTransport delegatingTo(HttpTransport real) {
    return new RecordingTransport(real);
  }

  /** {@return a 200 JSON answer with {@link #PUSH_ANSWER} as its body} */
  public static HttpResponse pushAnswer() {
    return json(200, PUSH_ANSWER);
  }

  /**
   * An answer with a JSON body.
   *
   * @param status the status code
   * @param body the body, sent as UTF-8
   * @return the answer, with {@code Content-Type: application/json}
   */
  public static HttpResponse json(int status, String body) {
    return HttpResponse.of(status, Map.of("Content-Type", List.of("application/json")),
        body.getBytes(StandardCharsets.UTF_8), false);
  }

  /**
   * Moves {@code clock} forward by {@code step} at the start of every exchange, to give attempts a known duration.
   *
   * @param clock e.g. {@code fakeTiming::advance}
   * @param step how long each exchange "takes"
   * @return this transport
   */
  public RecordingTransport advancingClock(Consumer<Duration> clock, Duration step) {
    this.perExchange = Objects.requireNonNull(step, "step");
    this.clock = Objects.requireNonNull(clock, "clock");
    return this;
  }

  /**
   * Makes {@link #execute} fail with an {@link AssertionError}: for code that must call {@link #executeAsync}.
   *
   * @return this transport
   */
  public RecordingTransport asyncOnly() {
    this.asyncOnly = true;
    return this;
  }

  /** {@return a copy of every request received so far, oldest first} */
  public List<HttpRequest> requests() {
    synchronized (requests) {
      return List.copyOf(requests);
    }
  }

  /** {@return the last request received, or {@code null} if none} */
  public HttpRequest last() {
    synchronized (requests) {
      return requests.isEmpty() ? null : requests.get(requests.size() - 1);
    }
  }

  /** {@return how many requests were received} */
  public int count() {
    synchronized (requests) {
      return requests.size();
    }
  }

  /** {@return a copy of every future {@link #executeAsync} handed out, oldest first} */
  public List<CompletableFuture<HttpResponse>> exchanges() {
    synchronized (exchanges) {
      return List.copyOf(exchanges);
    }
  }

  @Override
  public HttpResponse execute(HttpRequest request) throws IOException {
    if (asyncOnly) {
      throw new AssertionError("this transport takes executeAsync only, got execute: " + request.uri());
    }
    record(request);
    return delegate == null ? answer : delegate.execute(request);
  }

  @Override
  public CompletableFuture<HttpResponse> executeAsync(HttpRequest request) {
    CompletableFuture<HttpResponse> f;
    if (delegate != null) {
      record(request);
      f = delegate.executeAsync(request);
    } else if (asyncOnly) {
      record(request);
      f = CompletableFuture.completedFuture(answer);
    } else {
      f = new CompletableFuture<>();
      try {
        f.complete(execute(request)); // through execute, so that a subclass's answers count for both
      } catch (IOException | RuntimeException e) {
        f.completeExceptionally(e);
      }
    }
    synchronized (exchanges) {
      exchanges.add(f);
    }
    return f;
  }

  private void record(HttpRequest request) {
    Consumer<Duration> c = clock;
    if (c != null) {
      c.accept(perExchange);
    }
    synchronized (requests) {
      requests.add(request);
    }
  }

  /** Closes the real transport, if any. */
  @Override
  public void close() {
    if (delegate != null) {
      delegate.close();
    }
  }
}
