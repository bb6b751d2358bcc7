package io.github.cphsdk.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * One cold call in a fresh JVM, as a CLI or a desktop tool makes it: build the client, push once, exit.
 * Run by {@link SideBySide} with only that client's runtime jars on the class path. Prints
 * {@code COLD cpu_ms=.. hwm_kb=..} (process CPU time and peak RSS just before exit; -1 when unknown).
 *
 * <pre>{@code
 * java -cp <bench classes>:<that client's jars> io.github.cphsdk.bench.ColdStart ours-aksk 8080
 * }</pre>
 */
public final class ColdStart {
  private ColdStart() {}

  public static void main(String[] args) throws Exception {
    String kind = args[0];
    int port = Integer.parseInt(args[1]);
    Contender c;
    switch (kind) {
      case "ours-token":
        c = OursContender.token(port);
        break;
      case "ours-aksk":
        c = OursContender.akSk(port);
        break;
      case "official":
        c = OfficialContender.syncOnly(port);
        break;
      case "bare-direct":
        c = BareJdkContender.directExecutor(port, java.util.List.of(
            java.util.Map.entry("Content-Type", "application/json"),
            java.util.Map.entry("X-Auth-Token", Fixtures.TOKEN)));
        break;
      default:
        throw new IllegalArgumentException("unknown kind " + kind);
    }
    c.call(2);
    long cpuMs = ProcessHandle.current().info().totalCpuDuration().map(Duration::toMillis).orElse(-1L);
    System.out.println("COLD cpu_ms=" + cpuMs + " hwm_kb=" + peakRssKb());
    System.out.flush();
    System.exit(0);
  }

  /** VmHWM from /proc/self/status (Linux), or -1. */
  static long peakRssKb() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("VmHWM:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", ""));
        }
      }
    } catch (IOException | RuntimeException e) {
      // not Linux
    }
    return -1;
  }
}
