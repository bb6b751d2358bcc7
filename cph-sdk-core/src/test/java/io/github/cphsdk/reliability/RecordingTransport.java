package io.github.cphsdk.reliability;

import io.github.cphsdk.http.HttpRequest;
import io.github.cphsdk.http.HttpResponse;
import io.github.cphsdk.http.HttpTransport;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/** Keeps the last request it was given and answers every request with the same push answer. */
class RecordingTransport implements HttpTransport {
  static final String ANSWER = "{\"request_id\":\"r\",\"jobs\":[]}";

  volatile HttpRequest last;
  int count;

  @Override
  public synchronized HttpResponse execute(HttpRequest request) {
    last = request;
    count++;
    return HttpResponse.of(200, Map.of("Content-Type", List.of("application/json")),
        ANSWER.getBytes(StandardCharsets.UTF_8), false);
  }

  @Override
  public CompletableFuture<HttpResponse> executeAsync(HttpRequest request) {
    return CompletableFuture.completedFuture(execute(request));
  }
}
