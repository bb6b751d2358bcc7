package io.github.cphsdk.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The README's quick start is the code of {@link QuickStart}, so what users copy always compiles. */
class ReadmeTest {

  @Test
  void quickStartInReadmeIsTheCompiledExample() throws IOException {
    Path module = Path.of("").toAbsolutePath();
    String readme = Files.readString(module.resolveSibling("README.md"), StandardCharsets.UTF_8);
    int section = readme.indexOf("## Quick start");
    assertTrue(section >= 0, "README has a Quick start section");
    int open = readme.indexOf("```java\n", section) + "```java\n".length();
    int close = readme.indexOf("```", open);
    String fromReadme = readme.substring(open, close).strip();

    List<String> source = Files.readAllLines(
        module.resolve("src/main/java/io/github/cphsdk/examples/QuickStart.java"), StandardCharsets.UTF_8);
    int start = indexOf(source, "// README:start") + 1;
    int end = indexOf(source, "// README:end");
    String fromSource = source.subList(start, end).stream()
        .map(line -> line.length() >= 4 ? line.substring(4) : line.strip())
        .collect(Collectors.joining("\n")).strip();
    assertEquals(fromSource, fromReadme);
  }

  @Test
  void fleetRolloutInReadmeIsTheCompiledExample() throws IOException {
    Path module = Path.of("").toAbsolutePath();
    String readme = Files.readString(module.resolveSibling("README.md"), StandardCharsets.UTF_8);
    int section = readme.indexOf("## Rolling out to a fleet");
    assertTrue(section >= 0, "README has a Rolling out to a fleet section");
    int open = readme.indexOf("```java\n", section) + "```java\n".length();
    int close = readme.indexOf("```", open);
    String fromReadme = readme.substring(open, close).strip();

    List<String> source = Files.readAllLines(
        module.resolve("src/main/java/io/github/cphsdk/examples/FleetRollout.java"), StandardCharsets.UTF_8);
    int start = indexOf(source, "// README:start") + 1;
    int end = indexOf(source, "// README:end");
    String fromSource = source.subList(start, end).stream()
        .map(line -> line.length() >= 4 ? line.substring(4) : line.strip())
        .collect(Collectors.joining("\n")).strip();
    assertEquals(fromSource, fromReadme);
  }

  private static int indexOf(List<String> lines, String marker) {
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).strip().equals(marker)) {
        return i;
      }
    }
    throw new AssertionError("marker " + marker + " not found");
  }
}
