package io.github.cphsdk.portability;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaCodeUnit;
import com.tngtech.archunit.core.domain.JavaField;
import com.tngtech.archunit.core.domain.JavaModifier;
import com.tngtech.archunit.core.domain.JavaType;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import io.github.cphsdk.CloudPhoneClient;
import io.github.cphsdk.http.JdkHttpTransport;
import io.github.cphsdk.portability.archfixture.LeakyApi;
import io.github.cphsdk.portability.archfixture.UsesJavaNetHttp;
import io.github.cphsdk.portability.archfixture.model.DependsOnClient;
import io.github.cphsdk.portability.archfixture.rollout.ReachesBackToTheClient;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The package rules of the design (docs/ARCHITECTURE.md), checked on the compiled core: only
 * {@code JdkHttpTransport} touches {@code java.net.http} (so the jar works on Android), the public API exposes no internal or third-party
 * type, the model does not depend on the client, and neither rollout package reaches back up to the client
 * (nor the public one into internal). Each rule is also run on a class that breaks it
 * ({@code archfixture}), so a rule that silently matches nothing would fail here.
 */
class ArchitectureTest {
  private static final String ROOT = "io.github.cphsdk";

  private static final DescribedPredicate<JavaClass> JDK_HTTP_TRANSPORT =
      belongsTo(JdkHttpTransport.class).as("JdkHttpTransport and its nested classes");

  static final ArchRule ONLY_JDK_HTTP_TRANSPORT_USES_JAVA_NET_HTTP = noClasses()
      .that(not(JDK_HTTP_TRANSPORT))
      .should().dependOnClassesThat().resideInAPackage("java.net.http..")
      .because("java.net.http does not exist on Android; only JdkHttpTransport, which users opt into, may need it");

  /** The one class that creates the default JdkHttpTransport, once it found java.net.http present. */
  private static final DescribedPredicate<JavaClass> DEFAULT_TRANSPORT_FACTORY =
      belongsTo(io.github.cphsdk.internal.call.DefaultTransport.class).as("DefaultTransport and its nested classes");

  static final ArchRule NO_SDK_CLASS_USES_JDK_HTTP_TRANSPORT = noClasses()
      .that(not(JDK_HTTP_TRANSPORT)).and(not(DEFAULT_TRANSPORT_FACTORY))
      .should().dependOnClassesThat(JDK_HTTP_TRANSPORT)
      .because("JdkHttpTransport (and java.net.http) must load only when the user creates one or when"
          + " DefaultTransport found java.net.http present");

  static final ArchRule API_EXPOSES_ONLY_API_TYPES = classes()
      .that(new DescribedPredicate<JavaClass>("are accessible from outside the SDK") {
        @Override
        public boolean test(JavaClass c) {
          return isAccessible(c) && !c.getPackageName().startsWith(ROOT + ".internal");
        }
      })
      .should(new ArchCondition<JavaClass>("use in public and protected signatures only JDK types and "
          + "the SDK's API types (nothing from io.github.cphsdk.internal, Jackson or slf4j)") {
        @Override
        public void check(JavaClass c, ConditionEvents events) {
          c.getSuperclass().ifPresent(t -> checkType(c, "superclass", t, events));
          for (JavaType i : c.getInterfaces()) {
            checkType(c, "interface", i, events);
          }
          for (JavaField f : c.getFields()) {
            if (isVisible(f.getModifiers())) {
              checkType(c, "field " + f.getName(), f.getType(), events);
            }
          }
          for (JavaCodeUnit m : c.getCodeUnits()) {
            if (isVisible(m.getModifiers()) && !m.getName().equals("<clinit>")) {
              for (JavaClass t : m.getAllInvolvedRawTypes()) {
                checkRaw(c, m.getFullName(), t, events);
              }
            }
          }
        }
      });

  static final ArchRule MODEL_DOES_NOT_DEPEND_ON_THE_CLIENT = noClasses()
      .that().resideInAPackage("..model..")
      .should().dependOnClassesThat(new DescribedPredicate<JavaClass>("belong to the client: "
          + "io.github.cphsdk (except the exception types), .http, .internal, .auth, .retry or .rollout") {
        @Override
        public boolean test(JavaClass c) {
          String p = c.getPackageName();
          if (p.equals(ROOT)) {
            return !Throwable.class.isAssignableFrom(c.reflect()); // stubs of JDK types have no hierarchy
          }
          return p.startsWith(ROOT + ".http") || p.startsWith(ROOT + ".internal") || p.startsWith(ROOT + ".auth")
              || p.startsWith(ROOT + ".retry") || p.startsWith(ROOT + ".rollout");
        }
      })
      .because("the model is plain values (which may carry an SDK exception): usable without the client, "
          + "its transport or its pipeline");

  static final ArchRule ROLLOUT_DOES_NOT_DEPEND_ON_THE_CLIENT = noClasses()
      .that().resideInAPackage("..rollout..")
      .should().dependOnClassesThat(belongsTo(CloudPhoneClient.class))
      .because("the client creates rollouts and hands them its RolloutHost; a rollout that reached back for the "
          + "client would close an import circle (client -> rollout -> client)");

  static final ArchRule ROLLOUT_API_DOES_NOT_DEPEND_ON_INTERNAL = noClasses()
      .that().resideInAPackage("..rollout..").and().resideOutsideOfPackage("..internal..")
      .should().dependOnClassesThat().resideInAPackage(ROOT + ".internal..")
      .because("io.github.cphsdk.rollout holds the public interfaces and values; the implementation in "
          + "internal.rollout depends on them, never the other way round");

  static final ArchRule CORE_DOES_NOT_DEPEND_ON_THE_TESTKIT = noClasses()
      .should().dependOnClassesThat().resideInAPackage(ROOT + ".testkit..");

  private static JavaClasses core;

  @BeforeAll
  static void importCore() {
    core = new ClassFileImporter().importPath(mainClasses());
    assertTrue(core.contain(JdkHttpTransport.class) && core.contain(CloudPhoneClient.class),
        "the core's classes must be imported");
  }

  @Test
  void onlyJdkHttpTransportUsesJavaNetHttp() {
    ONLY_JDK_HTTP_TRANSPORT_USES_JAVA_NET_HTTP.check(core);
    assertTrue(core.get(JdkHttpTransport.class).getDirectDependenciesFromSelf().stream()
        .anyMatch(d -> d.getTargetClass().getPackageName().equals("java.net.http")),
        "the rule's exception must be needed: JdkHttpTransport does use java.net.http");
    assertTrue(ONLY_JDK_HTTP_TRANSPORT_USES_JAVA_NET_HTTP
        .evaluate(new ClassFileImporter().importClasses(UsesJavaNetHttp.class)).hasViolation());
  }

  @Test
  void noSdkClassUsesJdkHttpTransport() {
    NO_SDK_CLASS_USES_JDK_HTTP_TRANSPORT.check(core);
  }

  @Test
  void publicApiExposesNoInternalOrThirdPartyTypes() {
    API_EXPOSES_ONLY_API_TYPES.check(core);

    Set<String> violations = new TreeSet<>(API_EXPOSES_ONLY_API_TYPES
        .evaluate(new ClassFileImporter().importClasses(LeakyApi.class)).getFailureReport().getDetails());
    assertTrue(violations.stream().anyMatch(v -> v.contains("internals()") && v.contains("Futures")), violations::toString);
    assertTrue(violations.stream().anyMatch(v -> v.contains("jackson()") && v.contains("JsonFactory")), violations::toString);
    assertTrue(violations.stream().noneMatch(v -> v.contains("fine()")), violations::toString);
  }

  @Test
  void modelDoesNotDependOnTheClient() {
    MODEL_DOES_NOT_DEPEND_ON_THE_CLIENT.check(core);
    assertTrue(MODEL_DOES_NOT_DEPEND_ON_THE_CLIENT
        .evaluate(new ClassFileImporter().importClasses(DependsOnClient.class)).hasViolation());
  }

  @Test
  void rolloutDoesNotReachBackToTheClientOrIntoInternal() {
    ROLLOUT_DOES_NOT_DEPEND_ON_THE_CLIENT.check(core);
    ROLLOUT_API_DOES_NOT_DEPEND_ON_INTERNAL.check(core);
    assertTrue(core.containPackage(ROOT + ".rollout") && core.containPackage(ROOT + ".internal.rollout"),
        "both rollout packages must be imported");
    JavaClasses fixture = new ClassFileImporter().importClasses(ReachesBackToTheClient.class);
    assertTrue(ROLLOUT_DOES_NOT_DEPEND_ON_THE_CLIENT.evaluate(fixture).hasViolation());
    assertTrue(ROLLOUT_API_DOES_NOT_DEPEND_ON_INTERNAL.evaluate(fixture).hasViolation());
  }

  @Test
  void coreDoesNotDependOnTheTestkit() {
    CORE_DOES_NOT_DEPEND_ON_THE_TESTKIT.check(core);
  }

  /** The core's compiled classes (target/classes), where CloudPhoneClient was loaded from. */
  private static Path mainClasses() {
    try {
      return Paths.get(CloudPhoneClient.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  private static DescribedPredicate<JavaClass> belongsTo(Class<?> outer) {
    return new DescribedPredicate<JavaClass>(outer.getSimpleName() + " and its nested classes") {
      @Override
      public boolean test(JavaClass c) {
        return c.getName().equals(outer.getName()) || c.getName().startsWith(outer.getName() + "$");
      }
    };
  }

  /** Public, and (when nested) inside public classes all the way out. */
  private static boolean isAccessible(JavaClass c) {
    if (!c.getModifiers().contains(JavaModifier.PUBLIC) || c.isAnonymousClass() || c.isLocalClass()) {
      return false;
    }
    return !c.getEnclosingClass().isPresent() || isAccessible(c.getEnclosingClass().get());
  }

  private static boolean isVisible(Set<JavaModifier> modifiers) {
    return (modifiers.contains(JavaModifier.PUBLIC) || modifiers.contains(JavaModifier.PROTECTED))
        && !modifiers.contains(JavaModifier.SYNTHETIC) && !modifiers.contains(JavaModifier.BRIDGE);
  }

  private static void checkType(JavaClass owner, String where, JavaType type, ConditionEvents events) {
    for (JavaClass t : type.getAllInvolvedRawTypes()) {
      checkRaw(owner, owner.getName() + " " + where, t, events);
    }
  }

  private static void checkRaw(JavaClass owner, String where, JavaClass type, ConditionEvents events) {
    JavaClass base = type;
    while (base.isArray()) {
      base = base.getComponentType();
    }
    String name = base.getName();
    boolean allowed = base.isPrimitive() || name.startsWith("java.") || name.startsWith("javax.")
        || (name.startsWith(ROOT + ".") && !name.startsWith(ROOT + ".internal."));
    if (!allowed) {
      events.add(SimpleConditionEvent.violated(owner, where + " exposes " + name));
    }
  }
}
