package io.github.cphsdk.cli;

import java.io.PrintStream;
import java.util.List;

/** The batch plan printed by {@code --dry-run}. */
final class DryRun {
  private DryRun() {}

  static void batches(PrintStream out, List<String> ids, int perRequest) {
    int batches = (ids.size() + perRequest - 1) / perRequest;
    out.println("dry run: " + ids.size() + " servers in " + batches + " batches of at most " + perRequest
        + "; nothing was sent");
    for (int b = 0; b < batches; b++) {
      List<String> slice = ids.subList(b * perRequest, Math.min(ids.size(), (b + 1) * perRequest));
      out.println("  batch " + (b + 1) + ": " + slice.size() + " servers: " + String.join(",", slice));
    }
  }

  static void waves(PrintStream out, List<List<List<String>>> plan) {
    int servers = 0;
    int batches = 0;
    for (List<List<String>> w : plan) {
      batches += w.size();
      for (List<String> b : w) {
        servers += b.size();
      }
    }
    out.println("dry run: " + servers + " servers in " + plan.size() + " waves, " + batches + " batches; nothing "
        + "was sent");
    int batch = 0;
    for (int w = 0; w < plan.size(); w++) {
      int n = plan.get(w).stream().mapToInt(List::size).sum();
      out.println("wave " + w + (w == 0 ? " (canary)" : "") + ": " + n + " servers in " + plan.get(w).size()
          + " batches");
      for (List<String> b : plan.get(w)) {
        out.println("  batch " + (++batch) + ": " + b.size() + " servers: " + String.join(",", b));
      }
    }
  }
}
