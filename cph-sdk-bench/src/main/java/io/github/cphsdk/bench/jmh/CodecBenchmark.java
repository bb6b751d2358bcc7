package io.github.cphsdk.bench.jmh;

import io.github.cphsdk.bench.Fixtures;
import io.github.cphsdk.internal.json.Json;
import io.github.cphsdk.model.ShareAppsRequest;
import io.github.cphsdk.model.ShareAppsResponse;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
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
 * The CPU work of one push outside the network: build and validate the request, write its JSON, read the
 * answer. {@code servers} is the number of server ids (1, the documented 2, the default cap 20, the old cap 100).
 *
 * <pre>{@code
 * cph-sdk-bench/bench.sh jmh CodecBenchmark -prof gc
 * }</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class CodecBenchmark {

  @Param({"2", "20", "100"})
  public int servers;

  private List<String> ids;
  private ShareAppsRequest request;
  private byte[] answer;

  @Setup
  public void setUp() {
    ids = Fixtures.serverIds(servers);
    request = buildRequest();
    answer = Fixtures.answer(servers);
  }

  /** Builder plus every validation rule of {@code build()}. */
  @Benchmark
  public ShareAppsRequest buildRequest() {
    return ShareAppsRequest.builder()
        .packageName(Fixtures.PACKAGE_NAME)
        .bucketName(Fixtures.BUCKET)
        .objectPath(Fixtures.OBJECT_PATH)
        .preInstallApp(true)
        .addAllServerIds(ids)
        .build();
  }

  /** The request body, written once per call. */
  @Benchmark
  public byte[] serialize() {
    return Json.shareAppsBody(request);
  }

  /**
   * The 200 answer into the immutable response, read from a read-only view as production reads
   * {@code HttpResponse.bodyBuffer()}.
   */
  @Benchmark
  public ShareAppsResponse parse() throws IOException {
    return Json.shareAppsResponse(ByteBuffer.wrap(answer).asReadOnlyBuffer(), null);
  }
}
