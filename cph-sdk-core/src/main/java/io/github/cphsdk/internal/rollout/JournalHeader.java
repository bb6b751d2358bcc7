package io.github.cphsdk.internal.rollout;

import io.github.cphsdk.model.ShareAppsRequest;
import io.github.cphsdk.rollout.RolloutJournalException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * The first line of a rollout journal: the push, the servers and the plan's sizes. Written when a rollout starts,
 * read and compared with the push and servers given when it is resumed.
 */
final class JournalHeader {
  static final int FORMAT = 1;

  ShareAppsRequest push;
  List<String> servers;
  int canary;
  int wave;
  int perRequest;
  double maxFailureRatio;

  private JournalHeader() {}

  /** The header record of a new rollout with these settings. */
  static Map<String, Object> record(RolloutEngine.Settings s) {
    Map<String, Object> h = new LinkedHashMap<>();
    h.put("t", "rollout");
    h.put("format", FORMAT);
    h.put("id", UUID.randomUUID().toString());
    h.put("package_name", s.push.packageName());
    h.put("bucket_name", s.push.bucketName());
    h.put("object_path", s.push.objectPath());
    h.put("pre_install_app", s.push.preInstallApp().orElse(null));
    h.put("canary", s.canary);
    h.put("wave", s.wave);
    h.put("per_request", s.perRequest);
    h.put("max_failure_ratio", s.maxFailureRatio);
    h.put("servers", s.servers);
    return h;
  }

  /** Reads the header of the journal at {@code path}. */
  static JournalHeader read(Path path) {
    List<Map<String, Object>> records = JournalFile.read(path);
    if (records.isEmpty()) {
      throw new RolloutJournalException("the rollout journal " + path + " is empty or missing: there is no rollout "
          + "to resume", 0);
    }
    return parse(path, records.get(0));
  }

  static JournalHeader parse(Path path, Map<String, Object> h) {
    try {
      if (!"rollout".equals(h.get("t"))) {
        throw new IllegalArgumentException("the first line is not a rollout header");
      }
      if (((Number) h.get("format")).intValue() != FORMAT) {
        throw new IllegalArgumentException("format " + h.get("format") + " is not " + FORMAT);
      }
      JournalHeader out = new JournalHeader();
      @SuppressWarnings("unchecked")
      List<String> ids = (List<String>) h.get("servers");
      out.servers = List.copyOf(ids);
      ShareAppsRequest.Builder b = ShareAppsRequest.builder().packageName((String) h.get("package_name"))
          .bucketName((String) h.get("bucket_name")).objectPath((String) h.get("object_path"))
          .serverIds(out.servers);
      if (h.get("pre_install_app") != null) {
        b.preInstallApp((Boolean) h.get("pre_install_app"));
      }
      out.push = b.build();
      out.canary = ((Number) h.get("canary")).intValue();
      out.wave = ((Number) h.get("wave")).intValue();
      out.perRequest = ((Number) h.get("per_request")).intValue();
      out.maxFailureRatio = ((Number) h.get("max_failure_ratio")).doubleValue();
      return out;
    } catch (RuntimeException e) {
      throw new RolloutJournalException("the rollout journal " + path + " is damaged at line 1: " + e.getMessage(), 1);
    }
  }

  /** Refuses this journal when its push or server set is not {@code push} and {@code ids}, naming what differs. */
  void checkSame(Path path, ShareAppsRequest push, List<String> ids) {
    List<String> diffs = new ArrayList<>();
    if (!this.push.packageName().equals(push.packageName())) {
      diffs.add("package_name " + this.push.packageName() + " (journal) vs " + push.packageName());
    }
    if (!this.push.bucketName().equals(push.bucketName())) {
      diffs.add("bucket_name " + this.push.bucketName() + " (journal) vs " + push.bucketName());
    }
    if (!this.push.objectPath().equals(push.objectPath())) {
      diffs.add("object_path " + this.push.objectPath() + " (journal) vs " + push.objectPath());
    }
    if (!this.push.preInstallApp().equals(push.preInstallApp())) {
      diffs.add("pre_install_app " + this.push.preInstallApp().map(String::valueOf).orElse("unset")
          + " (journal) vs " + push.preInstallApp().map(String::valueOf).orElse("unset"));
    }
    Set<String> theirs = new HashSet<>(servers);
    Set<String> ours = new HashSet<>(ids);
    if (!theirs.equals(ours)) {
      Set<String> extra = new HashSet<>(ours);
      extra.removeAll(theirs);
      Set<String> missing = new HashSet<>(theirs);
      missing.removeAll(ours);
      diffs.add("servers: " + servers.size() + " in the journal, " + ids.size() + " given; " + extra.size()
          + " given but not in the journal" + (extra.isEmpty() ? "" : " (e.g. " + extra.iterator().next() + ")")
          + ", " + missing.size() + " in the journal but not given"
          + (missing.isEmpty() ? "" : " (e.g. " + missing.iterator().next() + ")"));
    }
    if (!diffs.isEmpty()) {
      throw new RolloutJournalException("the rollout journal " + path + " belongs to another rollout: "
          + String.join("; ", diffs) + ". Resume it with the same push and servers, or give a new journal file", 1);
    }
  }
}
