package io.github.cphsdk.portability.archfixture;

import com.fasterxml.jackson.core.JsonFactory;
import io.github.cphsdk.internal.Futures;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** Breaks the API rules on purpose: ArchitectureTest proves its rules catch this. */
public class LeakyApi {
  /** An internal type in a public signature (as a type argument). */
  public List<Futures> internals() {
    return null;
  }

  /** A third-party type in a public signature. */
  public JsonFactory jackson() {
    return null;
  }

  /** Fine: internal types may be used inside a method body. */
  public CompletableFuture<String> fine() {
    return Futures.failed(new IllegalStateException());
  }
}
