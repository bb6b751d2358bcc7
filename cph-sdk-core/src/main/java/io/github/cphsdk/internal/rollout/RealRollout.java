package io.github.cphsdk.internal.rollout;

import io.github.cphsdk.rollout.Rollout;
import io.github.cphsdk.rollout.RolloutReport;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/** The {@link Rollout} that {@link RolloutBuilder#build()} returns: runs its {@link RolloutEngine} once. */
final class RealRollout implements Rollout {
  private static final AtomicInteger THREADS = new AtomicInteger();

  private final RolloutEngine engine;
  private final RolloutEngine.Settings settings;
  private final AtomicBoolean started = new AtomicBoolean();

  RealRollout(RolloutEngine engine, RolloutEngine.Settings settings) {
    this.engine = engine;
    this.settings = settings;
  }

  @Override
  public RolloutReport run() {
    if (!started.compareAndSet(false, true)) {
      throw new IllegalStateException("this rollout already ran; build a new one (or resume its journal)");
    }
    return engine.run();
  }

  @Override
  public CompletableFuture<RolloutReport> runAsync() {
    CompletableFuture<RolloutReport> f = new CompletableFuture<RolloutReport>() {
      @Override
      public boolean cancel(boolean mayInterruptIfRunning) {
        engine.cancel();
        return super.cancel(mayInterruptIfRunning);
      }
    };
    Thread t = new Thread(() -> {
      try {
        f.complete(run());
      } catch (Throwable e) {
        f.completeExceptionally(e);
      }
    }, "cph-rollout-" + THREADS.incrementAndGet());
    t.setDaemon(true);
    t.start();
    return f;
  }

  @Override
  public void cancel() {
    engine.cancel();
  }

  @Override
  public boolean isCancelled() {
    return engine.isCancelled();
  }

  @Override
  public List<List<List<String>>> plan() {
    return RolloutLedger.plan(settings.servers, settings.canary, settings.wave, settings.perRequest);
  }

  @Override
  public String toString() {
    return "Rollout{" + settings.push.packageName() + " to " + settings.servers.size() + " servers, canary "
        + settings.canary + ", waves of " + settings.wave + ", gate " + settings.maxFailureRatio
        + (settings.journal != null ? ", journal " + settings.journal : "") + '}';
  }
}
