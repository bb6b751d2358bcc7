package io.github.cphsdk.portability;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.tngtech.archunit.core.domain.Dependency;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.EvaluationResult;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import com.tngtech.archunit.library.dependencies.SliceAssignment;
import com.tngtech.archunit.library.dependencies.SliceIdentifier;
import com.tngtech.archunit.library.dependencies.SlicesRuleDefinition;
import io.github.cphsdk.CloudPhoneClient;
import io.github.cphsdk.portability.archfixture.cycle.a.Left;
import io.github.cphsdk.portability.archfixture.cycle.b.Right;
import io.github.cphsdk.portability.archfixture.floors.high.Top;
import io.github.cphsdk.portability.archfixture.floors.low.Ground;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The floors of docs/ARCHITECTURE.md, checked on the compiled core: every import runs down (or stays on its floor),
 * and no two packages import each other, directly or around a circle. Both rules also run on a fixture that breaks
 * them ({@code archfixture.cycle}, {@code archfixture.floors}), so a rule that matches nothing fails here.
 *
 * <p>A floor is a package of {@code io.github.cphsdk}, except that the root package, whose names the API contract
 * fixes, holds three floors: the exception types (the ground: every layer may throw them), the listeners and
 * {@code WaitOptions} (above the model they mention) and {@code CloudPhoneClient} with its builder (the top).
 */
class FloorsTest {
  private static final String ROOT = "io.github.cphsdk";

  /** Bottom to top; the same order as the table in docs/ARCHITECTURE.md. */
  static final List<String> CORE_FLOORS = List.of(
      "exceptions", "internal", "model", "retry", "http", "api", "internal.json", "auth",
      "internal.call", "internal.jobs", "internal.client", "rollout", "internal.rollout", "client");

  private static JavaClasses core;

  @BeforeAll
  static void importCore() throws URISyntaxException {
    Path classes = Paths.get(CloudPhoneClient.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    core = new ClassFileImporter().importPath(classes);
    assertTrue(core.contain(CloudPhoneClient.class), "the core's classes must be imported");
  }

  @Test
  void everyImportRunsDownTheFloors() {
    floorsRule(ROOT, CORE_FLOORS).check(core);
  }

  @Test
  void noPackageCircle() {
    cycleRule(ROOT).check(core);
  }

  @Test
  void theFloorsRuleReportsAnArrowThatRunsUp() {
    String fixture = "io.github.cphsdk.portability.archfixture.floors";
    JavaClasses classes = new ClassFileImporter().importClasses(Ground.class, Top.class);
    EvaluationResult result = floorsRule(fixture, List.of("low", "high")).evaluate(classes);
    assertTrue(result.hasViolation(), "the fixture's ground floor imports its upper floor");
    String report = String.join("\n", result.getFailureReport().getDetails());
    assertTrue(report.contains("Ground") && report.contains("floor 'low'") && report.contains("floor 'high'"),
        report);
    // the same classes with the floors the other way round are fine: the rule is about direction
    assertTrue(!floorsRule(fixture, List.of("high", "low")).evaluate(classes).hasViolation());
  }

  @Test
  void theFloorsRuleReportsAPackageWithoutAFloor() {
    String fixture = "io.github.cphsdk.portability.archfixture.floors";
    EvaluationResult result = floorsRule(fixture, List.of("high"))
        .evaluate(new ClassFileImporter().importClasses(Ground.class, Top.class));
    String report = String.join("\n", result.getFailureReport().getDetails());
    assertTrue(report.contains("'low' has no floor"), report);
  }

  @Test
  void theCycleRuleReportsACircle() {
    JavaClasses classes = new ClassFileImporter().importClasses(Left.class, Right.class);
    assertTrue(cycleRule("io.github.cphsdk.portability.archfixture.cycle").evaluate(classes).hasViolation());
  }

  @Test
  void theArchitecturePageListsTheseFloors() throws IOException {
    Path page = Paths.get("").toAbsolutePath().getParent().resolve("docs/ARCHITECTURE.md");
    String text = new String(Files.readAllBytes(page), StandardCharsets.UTF_8);
    // the floor table: rows "| n | `floor` | ..." from the top floor down
    Matcher row = Pattern.compile("(?m)^\\| *(\\d+) *\\| *`([a-z.]+)` *\\|").matcher(text);
    List<String> listed = new ArrayList<>();
    while (row.find()) {
      listed.add(0, row.group(2));
    }
    assertEquals(CORE_FLOORS, listed, "docs/ARCHITECTURE.md's floor table, read bottom up");
  }

  /**
   * The slice of a class: its package below {@code root}, except in {@code root} itself (see the class javadoc);
   * nested classes go with the class around them. Classes outside {@code root} (the JDK, Jackson) are ignored.
   */
  static String floorOf(String root, JavaClass c) {
    String pkg = c.getPackageName();
    if (!pkg.equals(root) && !pkg.startsWith(root + ".")) {
      return null;
    }
    if (pkg.length() > root.length()) {
      return pkg.substring(root.length() + 1);
    }
    String top = c.getName().substring(pkg.length() + 1);
    int nested = top.indexOf('$');
    top = nested < 0 ? top : top.substring(0, nested);
    if (top.equals("CloudPhoneClient")) {
      return "client";
    }
    return top.endsWith("Exception") ? "exceptions" : "api";
  }

  static ArchRule floorsRule(String root, List<String> floors) {
    return classes().should(new ArchCondition<JavaClass>("import only from their own floor or the floors below, "
        + "bottom to top: " + floors) {
      @Override
      public void check(JavaClass c, ConditionEvents events) {
        String from = floorOf(root, c);
        if (from == null) {
          return;
        }
        int fromLevel = floors.indexOf(from);
        if (fromLevel < 0) {
          events.add(SimpleConditionEvent.violated(c, c.getName() + ": '" + from + "' has no floor"));
          return;
        }
        for (Dependency d : c.getDirectDependenciesFromSelf()) {
          String to = floorOf(root, d.getTargetClass());
          if (to == null || to.equals(from)) {
            continue;
          }
          int toLevel = floors.indexOf(to);
          if (toLevel > fromLevel) {
            events.add(SimpleConditionEvent.violated(c, "an arrow runs up from floor '" + from + "' to floor '"
                + to + "': " + d.getDescription()));
          }
        }
      }
    });
  }

  static ArchRule cycleRule(String root) {
    return SlicesRuleDefinition.slices().assignedFrom(new SliceAssignment() {
      @Override
      public SliceIdentifier getIdentifierOf(JavaClass c) {
        String floor = floorOf(root, c);
        return floor == null ? SliceIdentifier.ignore() : SliceIdentifier.of(floor);
      }

      @Override
      public String getDescription() {
        return "the floors of " + root;
      }
    }).should().beFreeOfCycles();
  }
}
