package io.github.cphsdk.internal.rollout;

import io.github.cphsdk.WaitOptions;
import io.github.cphsdk.model.ShareAppsRequest;
import io.github.cphsdk.rollout.Rollout;
import io.github.cphsdk.rollout.RolloutJournal;
import io.github.cphsdk.rollout.RolloutListener;
import java.util.Objects;

/**
 * The {@link Rollout.Builder} of a client: collects and checks the settings, and on {@link #build()} fills the
 * defaults from the {@link RolloutHost} and (on resume) checks the journal's header against the push.
 */
public final class RolloutBuilder implements Rollout.Builder {
  private final RolloutHost host;
  private final ShareAppsRequest push;
  private int canary = -1;
  private int wave = -1;
  private int maxConcurrentBatches = -1;
  private double maxFailureRatio = 0.05;
  private WaitOptions waitOptions = WaitOptions.defaults();
  private RolloutJournal journal;
  private boolean resume;
  private boolean rePushAmbiguous;
  private int maxAttemptsPerBatch = 10;
  private RolloutListener listener;

  /** A rollout of {@code push} to every server it names, sent through {@code host}. */
  public RolloutBuilder(RolloutHost host, ShareAppsRequest push) {
    this.host = Objects.requireNonNull(host, "host");
    this.push = Objects.requireNonNull(push, "push");
  }

  /**
   * Resumes the rollout a journal holds: its push, servers and plan are read from the journal.
   *
   * @throws io.github.cphsdk.rollout.RolloutJournalException when the journal is missing, empty or damaged
   */
  public static RolloutBuilder resume(RolloutHost host, RolloutJournal journal) {
    Objects.requireNonNull(journal, "journal");
    JournalHeader h = JournalHeader.read(journal.path());
    RolloutBuilder b = new RolloutBuilder(host, h.push);
    b.canary = h.canary;
    b.wave = h.wave;
    b.maxFailureRatio = h.maxFailureRatio;
    b.journal = journal;
    b.resume = true;
    return b;
  }

  @Override
  public Rollout.Builder canarySize(int servers) {
    this.canary = atLeastOne("canarySize", servers);
    return this;
  }

  @Override
  public Rollout.Builder waveSize(int servers) {
    this.wave = atLeastOne("waveSize", servers);
    return this;
  }

  @Override
  public Rollout.Builder maxConcurrentBatches(int maxConcurrentBatches) {
    if (maxConcurrentBatches < 1 || maxConcurrentBatches > 64) {
      throw new IllegalArgumentException("maxConcurrentBatches must be 1 to 64, got " + maxConcurrentBatches);
    }
    this.maxConcurrentBatches = maxConcurrentBatches;
    return this;
  }

  @Override
  public Rollout.Builder maxFailureRatio(double ratio) {
    if (!(ratio >= 0 && ratio <= 1)) {
      throw new IllegalArgumentException("maxFailureRatio must be 0 to 1, got " + ratio);
    }
    this.maxFailureRatio = ratio;
    return this;
  }

  @Override
  public Rollout.Builder waitOptions(WaitOptions waitOptions) {
    this.waitOptions = Objects.requireNonNull(waitOptions, "waitOptions");
    return this;
  }

  @Override
  public Rollout.Builder journal(RolloutJournal journal) {
    this.journal = Objects.requireNonNull(journal, "journal");
    return this;
  }

  @Override
  public Rollout.Builder resume(boolean resume) {
    this.resume = resume;
    return this;
  }

  @Override
  public Rollout.Builder rePushAmbiguous(boolean rePush) {
    this.rePushAmbiguous = rePush;
    return this;
  }

  @Override
  public Rollout.Builder maxAttemptsPerBatch(int attempts) {
    if (attempts < 1 || attempts > 100) {
      throw new IllegalArgumentException("maxAttemptsPerBatch must be 1 to 100, got " + attempts);
    }
    this.maxAttemptsPerBatch = attempts;
    return this;
  }

  @Override
  public Rollout.Builder listener(RolloutListener listener) {
    this.listener = Objects.requireNonNull(listener, "listener");
    return this;
  }

  @Override
  public Rollout build() {
    RolloutEngine.Settings s = new RolloutEngine.Settings();
    s.push = push;
    s.servers = push.serverIds();
    int n = s.servers.size();
    s.canary = canary > 0 ? canary : Math.max(1, (int) Math.ceil(n * 0.01));
    s.wave = wave > 0 ? wave : Math.max(1, (int) Math.ceil(n * 0.10));
    s.perRequest = host.maxServersPerRequest();
    s.maxConcurrentBatches = maxConcurrentBatches > 0 ? maxConcurrentBatches : host.maxConcurrentBatches();
    s.maxFailureRatio = maxFailureRatio;
    s.waitOptions = waitOptions;
    s.journal = journal == null ? null : journal.path();
    s.resume = resume;
    s.rePushAmbiguous = rePushAmbiguous;
    s.maxAttemptsPerBatch = maxAttemptsPerBatch;
    s.listener = listener;
    if (resume) {
      if (journal == null) {
        throw new IllegalArgumentException("resume(true) needs a journal");
      }
      JournalHeader h = JournalHeader.read(journal.path());
      h.checkSame(journal.path(), push, s.servers);
      if (h.perRequest > host.maxServersPerRequest()) {
        throw new IllegalArgumentException("the journal's rollout sends " + h.perRequest + " servers per request "
            + "but this client allows " + host.maxServersPerRequest() + " (CloudPhoneClient.Builder"
            + ".maxServersPerRequest)");
      }
      s.servers = h.servers;
      s.canary = h.canary;
      s.wave = h.wave;
      s.perRequest = h.perRequest;
    }
    return new RealRollout(new RolloutEngine(host, s), s);
  }

  private static int atLeastOne(String name, int v) {
    if (v < 1) {
      throw new IllegalArgumentException(name + " must be at least 1, got " + v);
    }
    return v;
  }
}
