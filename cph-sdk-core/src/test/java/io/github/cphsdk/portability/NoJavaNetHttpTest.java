package io.github.cphsdk.portability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.cphsdk.CloudPhoneClient;
import io.github.cphsdk.testkit.FakeCloudPhoneServer;
import java.io.File;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * Runs {@link NoJavaNetHttpProgram} in a separate JVM started with
 * {@code --limit-modules java.base,jdk.httpserver}, so the module {@code java.net.http} is absent (as on
 * Android), with only what a user's application has on its class path (the core classes, Jackson, slf4j)
 * plus the testkit for its emulator.
 */
class NoJavaNetHttpTest {

  @Test
  void coreWorksWithoutJavaNetHttp() throws Exception {
    JvmRun run = runProgram(NoJavaNetHttpProgram.class.getName());

    assertEquals(0, run.exitCode, run.output);
    for (String step : new String[] {
        "OK java.net.http is absent",
        "OK request validated",
        "OK push retried after 503 and parsed (1 accepted, 1 rejected)",
        "OK service error CPS.0148 mapped, not retried",
        "OK async push parsed",
        "OK dropped connection: one request, mayHaveBeenApplied",
        "OK emulator (UrlConnectionTransport): AK/SK-signed push retried after 503, accepted and rejected servers parsed",
        "OK emulator (UrlConnectionTransport): signed job listing waited for the push's jobs",
        "OK emulator (default transport): AK/SK-signed push retried after 503, accepted and rejected servers parsed",
        "OK emulator (default transport): signed job listing waited for the push's jobs",
        "OK control: JdkHttpTransport fails with java.lang.NoClassDefFoundError",
        "ALL OK"}) {
      assertTrue(run.output.contains(step), "missing \"" + step + "\" in:\n" + run.output);
    }
  }

  static final class JvmRun {
    final int exitCode;
    final String output;

    JvmRun(int exitCode, String output) {
      this.exitCode = exitCode;
      this.output = output;
    }
  }

  /** Starts {@code mainClass} in a new JVM without java.net.http, on the SDK's runtime class path. */
  static JvmRun runProgram(String mainClass) throws IOException, InterruptedException, URISyntaxException {
    Path java = Paths.get(System.getProperty("java.home"), "bin", "java");
    List<String> command = new ArrayList<>();
    command.add(java.toString());
    command.add("-XX:TieredStopAtLevel=1"); // a short run: start fast
    command.add("--limit-modules");
    command.add("java.base,jdk.httpserver"); // the emulator's HTTP server; it does not need java.net.http
    command.add("-cp");
    command.add(String.join(File.pathSeparator, runtimeClassPath()));
    command.add(mainClass);
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    p.getOutputStream().close();
    byte[] out = p.getInputStream().readAllBytes(); // ends when the JVM exits
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("the JVM did not exit:\n" + new String(out, StandardCharsets.UTF_8));
    }
    return new JvmRun(p.exitValue(), String.join(" ", command) + "\n" + new String(out, StandardCharsets.UTF_8));
  }

  /** Core classes, test classes (the program), the jars of Jackson and slf4j, and the testkit: nothing else. */
  static List<String> runtimeClassPath() throws URISyntaxException {
    Set<String> entries = new LinkedHashSet<>();
    for (Class<?> c : new Class<?>[] {CloudPhoneClient.class, NoJavaNetHttpProgram.class, JsonFactory.class,
        ObjectMapper.class, com.fasterxml.jackson.annotation.JsonProperty.class, LoggerFactory.class,
        FakeCloudPhoneServer.class}) {
      entries.add(Paths.get(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toString());
    }
    return new ArrayList<>(entries);
  }
}
