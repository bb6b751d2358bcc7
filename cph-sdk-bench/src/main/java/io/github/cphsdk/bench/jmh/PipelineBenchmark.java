package io.github.cphsdk.bench.jmh;

import io.github.cphsdk.CloudPhoneClient;
import io.github.cphsdk.auth.Credentials;
import io.github.cphsdk.bench.Fixtures;
import io.github.cphsdk.http.HttpRequest;
import io.github.cphsdk.http.HttpResponse;
import io.github.cphsdk.http.HttpTransport;
import io.github.cphsdk.model.ShareAppsRequest;
import io.github.cphsdk.model.ShareAppsResponse;
import java.net.URI;
import java.util.List;
import java.util.Map;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Everything our client does for one push except the network: validate, serialize, authorize (token or
 * AK/SK signing), the pipeline's bookkeeping, and parsing, through a transport that answers at once from
 * memory. This is the SDK's own overhead per call; {@code -prof gc} gives its allocation.
 *
 * <pre>{@code
 * cph-sdk-bench/bench.sh jmh PipelineBenchmark -prof gc
 * }</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class PipelineBenchmark {

  @Param({"token", "aksk"})
  public String auth;

  private CloudPhoneClient client;
  private List<String> ids;

  @Setup
  public void setUp() {
    HttpResponse answer = HttpResponse.of(200, Map.of("Content-Type", List.of("application/json"),
        "X-Request-Id", List.of("6837531fd3f54550927b930180a706bf")), Fixtures.answer(2), false);
    HttpTransport memory = new HttpTransport() {
      @Override
      public HttpResponse execute(HttpRequest request) {
        return answer;
      }

      @Override
      public CompletableFuture<HttpResponse> executeAsync(HttpRequest request) {
        return CompletableFuture.completedFuture(answer);
      }

      @Override
      public void close() {}
    };
    client = CloudPhoneClient.builder()
        .endpoint(URI.create("http://127.0.0.1:8080"))
        .projectId(Fixtures.PROJECT_ID)
        .credentials(credentials(auth))
        .transport(memory)
        .build();
    ids = Fixtures.serverIds(2);
  }

  static Credentials credentials(String auth) {
    switch (auth) {
      case "token":
        return Credentials.token(Fixtures.TOKEN);
      case "aksk":
        return Credentials.akSk(Fixtures.AK, Fixtures.SK);
      default:
        throw new IllegalArgumentException("auth " + auth);
    }
  }

  @TearDown
  public void tearDown() {
    client.close();
  }

  /** One synchronous push, request building included. */
  @Benchmark
  public ShareAppsResponse shareApps() {
    return client.shareApps(ShareAppsRequest.builder()
        .packageName(Fixtures.PACKAGE_NAME)
        .bucketName(Fixtures.BUCKET)
        .objectPath(Fixtures.OBJECT_PATH)
        .preInstallApp(true)
        .addAllServerIds(ids)
        .build());
  }
}
