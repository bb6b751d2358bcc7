package io.github.cphsdk.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The docs point only into this repository, and say what the build really does. */
class DocsTest {
  final Path root = Path.of("").toAbsolutePath().getParent();

  @Test
  void nothingPointsOutsideTheRepository() throws IOException {
    List<String> found = new ArrayList<>();
    try (Stream<Path> files = Files.walk(root)) {
      for (Path f : files.filter(p -> !p.toString().contains("/target/") && !p.toString().contains("/.git"))
          .filter(p -> p.toString().endsWith(".md") || p.toString().endsWith(".java") || p.toString().endsWith(".pro")
              || p.toString().endsWith("pom.xml"))
          .collect(Collectors.toList())) {
        String text = read(f);
        for (String bad : new String[] {"shared/testdata", "../shared", "shared/docs", "CPH-API.md"}) {
          if (text.contains(bad) && !f.endsWith("DocsTest.java")) {
            found.add(root.relativize(f) + ": " + bad);
          }
        }
      }
    }
    assertEquals(List.of(), found);
    assertTrue(Files.exists(root.resolve("docs/API.md")));
    assertTrue(Files.exists(root.resolve("cph-sdk-core/src/test/resources/aksk-vectors.json")));
  }

  @Test
  void theReadmeStatesTheFactsOfIssue13() throws IOException {
    String readme = read(root.resolve("README.md"));
    assertTrue(readme.contains("not published to Maven Central yet"), "install first");
    assertTrue(readme.contains("mvn -B -ntp -DskipTests install"));
    assertTrue(readme.contains("jackson-core **2.12 or newer 2.x**"), "the supported Jackson range");
    assertTrue(readme.contains("every request signed with AK/SK"), "the demo signs with AK/SK");
    assertTrue(!readme.contains("missing from jackson-databind itself"), "the core does not use databind");
    String pro = read(root.resolve("cph-sdk-core/src/main/resources/META-INF/proguard/cph-sdk-core.pro"));
    // the default it names is the real one: java.net.http on the JVM, HttpURLConnection on Android
    assertTrue(!pro.contains("SocketHttpTransport"), pro);
    assertTrue(pro.contains("JdkHttpTransport, the default transport on the JVM"), pro);
    assertTrue(pro.contains("on Android takes UrlConnectionTransport"), pro);
    String changelog = read(root.resolve("CHANGELOG.md"));
    assertTrue(!changelog.contains("limited to jackson-databind"), "the core depends on jackson-core");
  }

  private static String read(Path f) {
    try {
      return Files.readString(f, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
