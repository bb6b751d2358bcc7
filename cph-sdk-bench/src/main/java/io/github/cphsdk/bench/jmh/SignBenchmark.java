package io.github.cphsdk.bench.jmh;

import io.github.cphsdk.auth.AuthContext;
import io.github.cphsdk.auth.Credentials;
import io.github.cphsdk.bench.Fixtures;
import io.github.cphsdk.http.HttpRequest;
import io.github.cphsdk.http.HttpResponse;
import io.github.cphsdk.http.HttpTransport;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Authorizing one attempt of the push: AK/SK signing ({@code SDK-HMAC-SHA256}: canonical request, two
 * SHA-256, one HMAC, new headers) against adding a token header. {@code servers} sizes the body that is hashed.
 *
 * <pre>{@code
 * cph-sdk-bench/bench.sh jmh SignBenchmark -prof gc
 * }</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class SignBenchmark {

  @Param({"2", "100"})
  public int servers;

  private HttpRequest request;
  private AuthContext context;
  private Credentials akSk;
  private Credentials token;

  @Setup
  public void setUp() {
    URI endpoint = URI.create("https://cph.cn-north-4.myhuaweicloud.com");
    request = HttpRequest.builder("POST", endpoint.resolve(Fixtures.path()))
        .header("User-Agent", "cph-sdk-java/bench")
        .header("Accept", "application/json")
        .header("Content-Type", "application/json")
        .header("X-Client-Request-Id", "0123456789abcdef0123456789abcdef")
        .body(Fixtures.body(servers))
        .timeout(Duration.ofSeconds(30))
        .build();
    HttpTransport none = new HttpTransport() {
      @Override
      public HttpResponse execute(HttpRequest r) {
        throw new UnsupportedOperationException();
      }

      @Override
      public CompletableFuture<HttpResponse> executeAsync(HttpRequest r) {
        throw new UnsupportedOperationException();
      }
    };
    context = AuthContext.of(Fixtures.PROJECT_ID, "cn-north-4", endpoint, none, Clock.systemUTC());
    akSk = Credentials.akSk(Fixtures.AK, Fixtures.SK);
    token = Credentials.token(Fixtures.TOKEN);
  }

  @Benchmark
  public HttpRequest signAkSk() {
    return akSk.authorize(request, context);
  }

  @Benchmark
  public HttpRequest addToken() {
    return token.authorize(request, context);
  }
}
