package io.github.cphsdk.internal.rollout;

import io.github.cphsdk.model.BatchOutcome;
import io.github.cphsdk.model.ServerOutcome;
import io.github.cphsdk.model.ServerProgress;
import io.github.cphsdk.rollout.RolloutJournalException;
import io.github.cphsdk.rollout.RolloutServer;
import io.github.cphsdk.rollout.RolloutWave;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The plan of one rollout (its waves of batches) and the state of each batch and server, changed only by journal
 * records: the ones the {@link RolloutEngine} writes as it goes, and the ones read back from a journal on resume.
 * It does no I/O. Every read and change holds {@link #lock}, which the engine shares for its own state.
 */
final class RolloutLedger {

  enum BatchState { UNSENT, RETRYABLE, IN_FLIGHT, ANSWERED, REFUSED, AMBIGUOUS }

  /** One request's worth of servers of one wave. */
  static final class Batch {
    final int index;
    final int wave;
    final List<String> servers;
    int attempts;
    BatchState state = BatchState.UNSENT;

    Batch(int index, int wave, List<String> servers) {
      this.index = index;
      this.wave = wave;
      this.servers = servers;
    }
  }

  /** One server's push and job. */
  static final class Srv {
    final String id;
    final int wave;
    final int batch;
    RolloutServer.Push push = RolloutServer.Push.NOT_SENT;
    ServerProgress.State job; // RUNNING, SUCCEEDED or FAILED once accepted
    String requestId;
    String jobId;
    String code;
    String msg;

    Srv(String id, int wave, int batch) {
      this.id = id;
      this.wave = wave;
      this.batch = batch;
    }
  }

  final Object lock = new Object();
  final List<List<Batch>> waves = new ArrayList<>();
  final List<Batch> batches = new ArrayList<>();
  final Map<String, Srv> servers = new LinkedHashMap<>();
  final Map<Integer, RolloutWave> gates = new HashMap<>();

  RolloutLedger(List<String> servers, int canary, int wave, int perRequest) {
    int index = 0;
    List<List<List<String>>> p = plan(servers, canary, wave, perRequest);
    for (int w = 0; w < p.size(); w++) {
      List<Batch> batchesOfWave = new ArrayList<>();
      for (List<String> ids : p.get(w)) {
        Batch b = new Batch(index++, w, ids);
        batchesOfWave.add(b);
        batches.add(b);
        for (String id : ids) {
          this.servers.put(id, new Srv(id, w, b.index));
        }
      }
      waves.add(batchesOfWave);
    }
  }

  /** The batches of each wave, as server ids: what the engine would send, for a dry run. */
  static List<List<List<String>>> plan(List<String> servers, int canary, int wave, int perRequest) {
    List<List<List<String>>> out = new ArrayList<>();
    int i = 0;
    int size = Math.min(canary, servers.size());
    while (i < servers.size()) {
      List<List<String>> w = new ArrayList<>();
      int end = Math.min(servers.size(), i + size);
      for (int j = i; j < end; j += perRequest) {
        w.add(List.copyOf(servers.subList(j, Math.min(end, j + perRequest))));
      }
      out.add(w);
      i = end;
      size = wave;
    }
    return out;
  }

  /** A new record of {@code type} (its {@code "t"}), to fill and write. */
  static Map<String, Object> record(String type) {
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("t", type);
    return r;
  }

  // ---------------------------------------------------------------- replay

  /**
   * Takes in the records of a journal after its header (index 0, already checked), then marks every batch sent
   * without a recorded answer ambiguous: its POST may or may not have been applied.
   *
   * @throws RolloutJournalException naming the first line that does not fit the plan
   */
  void replay(Path path, List<Map<String, Object>> records) {
    for (int i = 1; i < records.size(); i++) {
      try {
        apply(records.get(i));
      } catch (RuntimeException e) {
        throw new RolloutJournalException("the rollout journal " + path + " is damaged at line " + (i + 1)
            + ": " + e.getMessage(), i + 1);
      }
    }
    synchronized (lock) {
      for (Batch b : batches) {
        if (b.state == BatchState.IN_FLIGHT) {
          b.state = BatchState.AMBIGUOUS;
          for (String id : b.servers) {
            Srv v = servers.get(id);
            v.push = RolloutServer.Push.AMBIGUOUS;
            v.msg = "the batch was sent (attempt " + b.attempts + ") but its answer was not recorded: the process "
                + "stopped before it came";
          }
        }
      }
    }
  }

  /** Takes one record in (when written, and when read back on resume). */
  void apply(Map<String, Object> r) {
    String t = (String) Objects.requireNonNull(r.get("t"), "a record without a type \"t\"");
    synchronized (lock) {
      switch (t) {
        case "send": {
          Batch b = batch(r);
          b.attempts = Math.max(b.attempts, ((Number) r.get("attempt")).intValue());
          b.state = BatchState.IN_FLIGHT;
          break;
        }
        case "answer":
          applyAnswer(batch(r), r);
          break;
        case "retry":
        case "refused":
        case "ambiguous": {
          Batch b = batch(r);
          b.state = t.equals("retry") ? BatchState.RETRYABLE : t.equals("refused") ? BatchState.REFUSED
              : BatchState.AMBIGUOUS;
          for (String id : b.servers) {
            Srv v = servers.get(id);
            v.push = t.equals("retry") ? RolloutServer.Push.NOT_SENT : t.equals("refused") ? RolloutServer.Push.REFUSED
                : RolloutServer.Push.AMBIGUOUS;
            v.code = (String) r.get("code");
            v.msg = (String) r.get("msg");
          }
          break;
        }
        case "job": {
          Srv v = servers.get((String) r.get("server"));
          if (v == null) {
            throw new IllegalArgumentException("a job of server " + r.get("server") + ", which is not in the rollout");
          }
          v.job = ServerProgress.State.valueOf((String) r.get("state"));
          v.code = (String) r.get("code");
          v.msg = (String) r.get("msg");
          break;
        }
        case "gate": {
          int w = ((Number) r.get("wave")).intValue();
          gates.put(w, new RolloutWave(w, ((Number) r.get("servers")).intValue(),
              ((Number) r.get("failures")).intValue(), ((Number) r.get("total")).intValue(),
              ((Number) r.get("max_failure_ratio")).doubleValue(), (Boolean) r.get("proceed")));
          break;
        }
        case "end":
          break;
        default:
          throw new IllegalArgumentException("unknown record type \"" + t + "\"");
      }
    }
  }

  /** Takes in the answer record {@code r} of batch {@code b}. */
  @SuppressWarnings("unchecked")
  void applyAnswer(Batch b, Map<String, Object> r) {
    synchronized (lock) {
      b.state = BatchState.ANSWERED;
      String requestId = (String) r.get("request_id");
      Set<String> mentioned = new HashSet<>();
      for (Object o : (List<Object>) r.get("jobs")) {
        Map<String, Object> j = (Map<String, Object>) o;
        Srv v = servers.get((String) j.get("server"));
        if (v == null || v.batch != b.index || !mentioned.add(v.id) && v.jobId != null) {
          continue;
        }
        v.requestId = requestId;
        v.jobId = (String) j.get("job");
        v.code = (String) j.get("code");
        v.msg = (String) j.get("msg");
        if (v.jobId != null) {
          v.push = RolloutServer.Push.ACCEPTED;
          if (v.job == null) {
            v.job = ServerProgress.State.RUNNING;
          }
        } else {
          v.push = RolloutServer.Push.REJECTED;
        }
      }
      for (String id : b.servers) {
        if (!mentioned.contains(id)) {
          Srv v = servers.get(id);
          v.push = RolloutServer.Push.AMBIGUOUS;
          v.requestId = requestId;
          v.msg = "the service accepted the batch but its answer did not mention this server; list the jobs of "
              + "request " + requestId;
        }
      }
    }
  }

  private Batch batch(Map<String, Object> r) {
    int index = ((Number) Objects.requireNonNull(r.get("batch"), "a record without \"batch\"")).intValue();
    if (index < 0 || index >= batches.size()) {
      throw new IllegalArgumentException("batch " + index + " is not in the rollout's plan of " + batches.size());
    }
    return batches.get(index);
  }

  // ---------------------------------------------------------------- views

  int serversOf(int wave) {
    int n = 0;
    for (Batch b : waves.get(wave)) {
      n += b.servers.size();
    }
    return n;
  }

  /** The accepted servers of wave {@code w} whose jobs are still running, as an outcome to wait for; empty if none. */
  Optional<BatchOutcome> running(int w) {
    BatchOutcome.Builder outcome = BatchOutcome.builder();
    int n = 0;
    synchronized (lock) {
      for (Srv v : servers.values()) {
        if (v.wave == w && v.job == ServerProgress.State.RUNNING && v.jobId != null) {
          outcome.addServers(ServerOutcome.builder().serverId(v.id).batch(v.batch).result(ServerOutcome.Result.ACCEPTED)
              .requestId(Optional.ofNullable(v.requestId)).jobId(v.jobId).build());
          n++;
        }
      }
    }
    return n == 0 ? Optional.empty() : Optional.of(outcome.build());
  }

  /** {@code {failures, total}} over the servers of waves 0 to {@code w}: the failure gate's count. */
  int[] failures(int w) {
    int failures = 0;
    int total = 0;
    synchronized (lock) {
      for (Srv v : servers.values()) {
        if (v.wave > w) {
          continue;
        }
        total++;
        if (v.job == ServerProgress.State.FAILED || v.push == RolloutServer.Push.REJECTED
            || v.push == RolloutServer.Push.REFUSED) {
          failures++;
        }
      }
    }
    return new int[] {failures, total};
  }

  /** {@return the gate decisions recorded so far, in wave order} */
  List<RolloutWave> decided() {
    synchronized (lock) {
      List<RolloutWave> out = new ArrayList<>();
      for (int w = 0; w < waves.size(); w++) {
        if (gates.containsKey(w)) {
          out.add(gates.get(w));
        }
      }
      return out;
    }
  }

  /** {@return the public view of server {@code id}} */
  RolloutServer view(String id) {
    synchronized (lock) {
      Srv v = servers.get(id);
      RolloutServer.Status status;
      switch (v.push) {
        case ACCEPTED:
          status = v.job == ServerProgress.State.SUCCEEDED ? RolloutServer.Status.SUCCEEDED
              : v.job == ServerProgress.State.FAILED ? RolloutServer.Status.FAILED : RolloutServer.Status.RUNNING;
          break;
        case REJECTED:
          status = RolloutServer.Status.REJECTED;
          break;
        case REFUSED:
          status = RolloutServer.Status.REFUSED;
          break;
        case AMBIGUOUS:
          status = RolloutServer.Status.UNKNOWN;
          break;
        default:
          status = RolloutServer.Status.NOT_SENT;
      }
      return new RolloutServer(v.id, v.wave, v.batch, v.push, status, v.requestId, v.jobId, v.code, v.msg);
    }
  }

  /** {@return every server's view, in plan order} */
  List<RolloutServer> views() {
    List<RolloutServer> out = new ArrayList<>(servers.size());
    for (String id : servers.keySet()) {
      out.add(view(id));
    }
    return out;
  }
}
