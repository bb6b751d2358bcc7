package io.github.cphsdk.bench;

import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The realistic scenario: TLS on loopback (a self-signed certificate made by keytool), a stub service that
 * takes 25 ms per push, and every client in a JVM of its own ({@link RealisticClient}), sequentially and with
 * 16, 64 and 256 calls in flight. Reports calls/s, client CPU µs per call (process CPU time of the client's
 * JVM), the client JVM's peak thread count and the p99 latency, as a Markdown table.
 *
 * <pre>{@code
 * cph-sdk-bench/bench.sh realistic [--seconds 5] [--warmup 15] [--latency-ms 25] [--levels 1,16,64,256]
 *     [--clients ours-jdk,ours-urlconn,official,bare-jdk] [--out target/realistic.md]
 * }</pre>
 *
 * <p>The stub is {@code com.sun.net.httpserver}'s HttpsServer, which speaks HTTP/1.1 only: every client runs
 * on HTTP/1.1 over TLS 1.3 here (ours would negotiate HTTP/2 with a service that offers it).
 */
public final class Realistic {
  private Realistic() {}

  public static void main(String[] args) throws Exception {
    double seconds = 5;
    double warmup = 15;
    long latencyMs = 25;
    List<Integer> levels = List.of(1, 16, 64, 256);
    List<String> clients = List.of("ours-jdk", "ours-urlconn", "official", "bare-jdk");
    Path out = Paths.get("target", "realistic.md");
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--seconds": seconds = Double.parseDouble(args[++i]); break;
        case "--latency-ms": latencyMs = Long.parseLong(args[++i]); break;
        case "--levels": levels = Arrays.stream(args[++i].split(",")).map(Integer::valueOf).collect(java.util.stream.Collectors.toList()); break;
        case "--clients": clients = Arrays.asList(args[++i].split(",")); break;
        case "--out": out = Paths.get(args[++i]); break;
        case "--warmup": warmup = Double.parseDouble(args[++i]); break;
        case "--quick": seconds = 2; warmup = 5; break;
        default: throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    String java = Paths.get(System.getProperty("java.home"), "bin", "java").toString();
    String cp = System.getProperty("java.class.path");
    Path dir = Files.createTempDirectory("cph-bench-tls");
    Path store = dir.resolve("stub.p12");
    String password = "bench-pass";
    Process keytool = new ProcessBuilder(Paths.get(System.getProperty("java.home"), "bin", "keytool").toString(),
        "-genkeypair", "-alias", "stub", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=stub",
        "-ext", "SAN=ip:127.0.0.1", "-validity", "2", "-storetype", "PKCS12", "-keystore", store.toString(),
        "-storepass", password, "-keypass", password).redirectErrorStream(true).start();
    keytool.getInputStream().readAllBytes();
    if (keytool.waitFor() != 0) {
      throw new IllegalStateException("keytool failed");
    }
    Process stub = new ProcessBuilder(java, "-Xms256m", "-Xmx256m", "-Dsun.net.httpserver.nodelay=true",
        "-Dsun.net.httpserver.maxIdleConnections=4096", "-Dsun.net.httpserver.idleInterval=3600",
        "-Dstub.tls.keystore=" + store, "-Dstub.tls.password=" + password, "-Dstub.latencyMs=" + latencyMs,
        "-cp", cp, StubServer.class.getName(), "0", "600").redirectError(ProcessBuilder.Redirect.INHERIT).start();
    BufferedReader stubOut = new BufferedReader(new InputStreamReader(stub.getInputStream(), StandardCharsets.UTF_8));
    String portLine = stubOut.readLine();
    if (portLine == null || !portLine.startsWith("PORT ")) {
      throw new IllegalStateException("stub did not start: " + portLine);
    }
    String base = "https://127.0.0.1:" + portLine.substring(5).trim();
    StringBuilder md = new StringBuilder();
    md.append("## Realistic: TLS on loopback, ").append(latencyMs).append(" ms service latency, each client in its own JVM\n\n");
    md.append("- ").append(Runtime.getRuntime().availableProcessors()).append(" cores, JDK ")
        .append(System.getProperty("java.version")).append(", ").append(seconds).append(" s per cell after a warm-up of ").append(warmup)
        .append(" s at 64 in flight, AK/SK signing, 2 server ids per push\n\n");
    md.append("| client | in flight | calls/s | client CPU µs/call (process) | of it Java threads | peak JVM threads | p50 ms | p99 ms |\n");
    md.append("|---|---:|---:|---:|---:|---:|---:|---:|\n");
    try {
      for (String client : clients) {
        for (int level : levels) {
          List<String> cmd = new ArrayList<>(List.of(java));
          String extra = System.getProperty("bench.clientOpts", "").trim(); // e.g. -XX:ActiveProcessorCount=4
          if (!extra.isEmpty()) {
            cmd.addAll(Arrays.asList(extra.split("\\s+")));
          }
          cmd.addAll(List.of("-Xms256m", "-Xmx256m",
              "-Djavax.net.ssl.trustStore=" + store, "-Djavax.net.ssl.trustStorePassword=" + password,
              "-Djavax.net.ssl.trustStoreType=PKCS12", "-cp", cp, RealisticClient.class.getName(), client, base,
              String.valueOf(level), String.valueOf(seconds), String.valueOf(warmup)));

          Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
          String all = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
          if (!p.waitFor(10, TimeUnit.MINUTES) || p.exitValue() != 0) {
            System.out.println(client + " " + level + " FAILED:\n" + all);
            md.append("| ").append(client).append(" | ").append(level).append(" | failed | | | | | |\n");
            continue;
          }
          Map<String, String> r = parse(all);
          String row = "| " + client + " | " + (level == 1 ? "1 (sequential)" : level) + " | " + r.get("perSecond")
              + " | " + r.get("cpuUsPerCall") + " | " + r.get("javaCpuUsPerCall") + " | " + r.get("peakThreads") + " | " + r.get("p50ms") + " | "
              + r.get("p99ms") + " |";
          System.out.println(row);
          md.append(row).append('\n');
        }
      }
    } finally {
      stub.getOutputStream().close();
      stub.waitFor(10, TimeUnit.SECONDS);
      stub.destroy();
    }
    md.append("\nCommand: `cph-sdk-bench/bench.sh realistic ").append(String.join(" ", args)).append("`\n");
    Files.createDirectories(out.toAbsolutePath().getParent());
    Files.writeString(out, md.toString());
    System.out.println();
    System.out.println(md);
    System.out.println("written to " + out.toAbsolutePath());
    new File(store.toString()).delete();
  }

  private static Map<String, String> parse(String output) {
    Map<String, String> m = new LinkedHashMap<>();
    for (String line : output.split("\n")) {
      if (line.startsWith("RESULT ")) {
        for (String kv : line.substring(7).trim().split(" ")) {
          int eq = kv.indexOf('=');
          m.put(kv.substring(0, eq), kv.substring(eq + 1));
        }
      }
    }
    if (m.isEmpty()) {
      throw new IllegalStateException("no RESULT line in:\n" + output);
    }
    return m;
  }
}
