package io.github.cphsdk.examples;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * {@code -Dexec.mainClass=...} must pick the program {@code exec:java} runs (it was silently ignored: a
 * {@code <mainClass>} in the plugin's configuration wins over the property), and the README shows both ways.
 */
class ExecSettingsTest {
  final Path module = Path.of("").toAbsolutePath();

  @Test
  void theMainClassIsAPropertyTheCommandLineCanOverride() throws IOException {
    String parent = Files.readString(module.resolveSibling("pom.xml"), StandardCharsets.UTF_8);
    String examples = Files.readString(module.resolve("pom.xml"), StandardCharsets.UTF_8);
    assertFalse(parent.replaceAll("(?s)<!--.*?-->", "").contains("<mainClass>"),
        "a <mainClass> in the parent's exec-maven-plugin configuration would override -Dexec.mainClass");
    assertFalse(examples.replaceAll("(?s)<!--.*?-->", "").contains("<mainClass>"));
    assertTrue(examples.contains("<exec.mainClass>${example}</exec.mainClass>"), "the default, as a property");
    assertTrue(parent.contains("<exec.mainClass>${example}</exec.mainClass>"),
        "every module of the reactor needs a value: exec:java checks it before exec.skip (the README runs it with -am)");
  }

  @Test
  void theReadmeShowsHowToPassOptionsAndPickAProgram() throws IOException {
    String readme = Files.readString(module.resolveSibling("README.md"), StandardCharsets.UTF_8);
    assertTrue(readme.contains("-Dexec.args=\"--help\""), "options through -Dexec.args");
    assertTrue(readme.contains("-Dexec.mainClass=io.github.cphsdk.examples.PushSharedAppAsync"), "another program");
    assertTrue(readme.contains("-Dexample=io.github.cphsdk.examples.PushSharedAppAsync"), "the short form");
  }
}
