package io.github.cphsdk.portability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.cphsdk.CloudPhoneClient;
import java.io.File;
import java.io.IOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * The core as a JPMS module: a consumer module ({@code src/test/resources/modulepath/consumer}) is compiled
 * against the module {@code io.github.cphsdk} and run on the module path with nothing but the modules the
 * core requires (Jackson, slf4j), once without and once with {@code java.net.http}. A module that
 * reaches into {@code io.github.cphsdk.internal} must not compile.
 */
class ModulePathTest {
  @TempDir
  static Path work;

  private static String modulePath;
  private static Path consumerClasses;

  @BeforeAll
  static void compileConsumer() throws Exception {
    modulePath = String.join(File.pathSeparator, location(CloudPhoneClient.class), location(JsonFactory.class),
        location(ObjectMapper.class), location(JsonProperty.class), location(LoggerFactory.class));
    consumerClasses = work.resolve("consumer-classes");
    CompileResult result = compile("consumer", consumerClasses);
    assertEquals(0, result.exitCode, result.output);
  }

  @Test
  void runsOnTheModulePathWithoutJavaNetHttp() throws Exception {
    String output = run(false);

    assertTrue(output.contains("OK exports [io.github.cphsdk, io.github.cphsdk.auth, io.github.cphsdk.http, "
        + "io.github.cphsdk.model, io.github.cphsdk.retry, io.github.cphsdk.rollout]"), output);
    assertTrue(output.contains("OK push through UrlConnectionTransport"), output);
    assertTrue(output.contains("OK push through the default transport"), output);
    assertTrue(output.contains("OK JdkHttpTransport needs java.net.http"), output);
    assertTrue(output.contains("ALL OK"), output);
  }

  @Test
  void jdkHttpTransportWorksWhenJavaNetHttpIsResolved() throws Exception {
    String output = run(true);

    assertTrue(output.contains("OK JdkHttpTransport on java.net.http"), output);
    assertTrue(output.contains("ALL OK"), output);
  }

  @Test
  void internalPackageIsNotExported() throws Exception {
    CompileResult result = compile("intruder", work.resolve("intruder-classes"));

    assertFalse(result.exitCode == 0, "a module must not be able to use io.github.cphsdk.internal");
    assertTrue(result.output.contains("io.github.cphsdk.internal"), result.output);
    assertTrue(result.output.contains("does not export") || result.output.contains("not visible"), result.output);
  }

  private static String run(boolean withJavaNetHttp) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(Arrays.asList(
        Paths.get(System.getProperty("java.home"), "bin", "java").toString(), "-XX:TieredStopAtLevel=1",
        "--module-path", consumerClasses + File.pathSeparator + modulePath));
    if (withJavaNetHttp) {
      command.add("--add-modules");
      command.add("java.net.http");
    }
    command.add("--module");
    command.add("cphsdk.consumer/cphsdk.consumer.Main");
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    p.getOutputStream().close();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
    }
    assertEquals(0, p.exitValue(), String.join(" ", command) + "\n" + output);
    return output;
  }

  private static final class CompileResult {
    final int exitCode;
    final String output;

    CompileResult(int exitCode, String output) {
      this.exitCode = exitCode;
      this.output = output;
    }
  }

  private static CompileResult compile(String module, Path out)
      throws IOException, URISyntaxException, InterruptedException {
    URL root = ModulePathTest.class.getResource("/modulepath/" + module + "/module-info.java");
    assertNotNull(root, "test resource modulepath/" + module);
    Path sources = Paths.get(root.toURI()).getParent();
    List<String> args = new ArrayList<>(Arrays.asList("-J-XX:TieredStopAtLevel=1", "--module-path", modulePath,
        "-d", out.toString(), "-Xlint:all", "-Xlint:-requires-automatic"));
    try (Stream<Path> files = Files.walk(sources)) {
      args.addAll(files.filter(f -> f.toString().endsWith(".java")).map(Path::toString)
          .collect(Collectors.toList()));
    }
    // javac as a process: the tests themselves are compiled into the core module, which does not read java.compiler
    List<String> command = new ArrayList<>();
    command.add(Paths.get(System.getProperty("java.home"), "bin", "javac").toString());
    command.addAll(args);
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    p.getOutputStream().close();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(120, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("javac did not finish:\n" + output);
    }
    return new CompileResult(p.exitValue(), String.join(" ", command) + "\n" + output);
  }

  private static String location(Class<?> c) throws URISyntaxException {
    return Paths.get(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
  }
}
