package io.github.cphsdk.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.cphsdk.http.HttpRequest;
import java.net.URI;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class EnvironmentCredentialsTest {
  static final String AK_VALUE = "QTWAOYTTINDUT2QVKYUC";
  static final String SK_VALUE = "MFyfvK41ba2giqM7Uio6PznpdUKGpownRZlmVmHc";
  static final String ST_VALUE = "gQpjbi1ub3J0aC00-security-token";
  static final String TOKEN_VALUE = "MIIZ-env-token";
  static final List<String> VARIABLES = List.of("HUAWEICLOUD_SDK_AK", "HUAWEICLOUD_SDK_SK",
      "HUAWEICLOUD_SDK_SECURITY_TOKEN", "CPH_AUTH_TOKEN");
  static final List<String> VALUES = List.of(AK_VALUE, SK_VALUE, ST_VALUE, TOKEN_VALUE);

  /** Each variable unset, blank or set: 3^4 = 81 environments. */
  static Stream<Arguments> environments() {
    List<Arguments> out = new ArrayList<>();
    for (int n = 0; n < 81; n++) {
      Map<String, String> env = new HashMap<>();
      StringBuilder label = new StringBuilder();
      int k = n;
      for (int i = 0; i < 4; i++) {
        int state = k % 3;
        k /= 3;
        if (state == 1) {
          env.put(VARIABLES.get(i), " \t");
        } else if (state == 2) {
          env.put(VARIABLES.get(i), VALUES.get(i));
        }
        label.append(VARIABLES.get(i).replace("HUAWEICLOUD_SDK_", "")).append('=')
            .append(state == 0 ? "unset" : state == 1 ? "blank" : "set").append(' ');
      }
      out.add(Arguments.of(label.toString().trim(), env));
    }
    return out.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("environments")
  void everyCombinationOfVariables(String label, Map<String, String> env) {
    boolean ak = env.containsKey("HUAWEICLOUD_SDK_AK") && !env.get("HUAWEICLOUD_SDK_AK").isBlank();
    boolean sk = env.containsKey("HUAWEICLOUD_SDK_SK") && !env.get("HUAWEICLOUD_SDK_SK").isBlank();
    boolean st = env.containsKey("HUAWEICLOUD_SDK_SECURITY_TOKEN") && !env.get("HUAWEICLOUD_SDK_SECURITY_TOKEN").isBlank();
    boolean token = env.containsKey("CPH_AUTH_TOKEN") && !env.get("CPH_AUTH_TOKEN").isBlank();

    if (ak && sk) {
      HttpRequest signed = Credentials.fromEnvironment(env::get).authorize(request(), SdkHmacSignerTest.context("p"));
      assertTrue(signed.header("Authorization").orElseThrow().startsWith("SDK-HMAC-SHA256 Access=" + AK_VALUE + ","));
      assertEquals(st, signed.header("X-Security-Token").isPresent(), "security token sent iff set");
      if (st) {
        assertEquals(ST_VALUE, signed.header("X-Security-Token").orElseThrow());
      }
      assertFalse(signed.header("X-Auth-Token").isPresent(), "AK/SK wins over CPH_AUTH_TOKEN");
    } else if (ak || sk) {
      IllegalStateException e = assertThrows(IllegalStateException.class, () -> Credentials.fromEnvironment(env::get));
      String missing = ak ? "HUAWEICLOUD_SDK_SK" : "HUAWEICLOUD_SDK_AK";
      String present = ak ? "HUAWEICLOUD_SDK_AK" : "HUAWEICLOUD_SDK_SK";
      assertEquals(present + " is set but " + missing + " is missing or blank: set both for AK/SK signing", e.getMessage());
      assertNoValues(e.getMessage());
    } else if (st) {
      IllegalStateException e = assertThrows(IllegalStateException.class, () -> Credentials.fromEnvironment(env::get));
      assertTrue(e.getMessage().startsWith("HUAWEICLOUD_SDK_SECURITY_TOKEN is set but HUAWEICLOUD_SDK_AK and"
          + " HUAWEICLOUD_SDK_SK are missing"), e.getMessage());
      assertNoValues(e.getMessage());
    } else if (token) {
      Credentials credentials = Credentials.fromEnvironment(env::get);
      assertEquals(TOKEN_VALUE, credentials.authorize(request(), SdkHmacSignerTest.context("p")).header("X-Auth-Token")
          .orElseThrow());
      assertEquals("Credentials.token(****)", credentials.toString());
    } else {
      IllegalStateException e = assertThrows(IllegalStateException.class, () -> Credentials.fromEnvironment(env::get));
      for (String variable : VARIABLES) {
        assertTrue(e.getMessage().contains(variable), e.getMessage());
      }
    }
  }

  @Test
  void valuesAreTrimmedAndMalformedOnesAreNamedByTheirVariable() {
    Map<String, String> env = Map.of("HUAWEICLOUD_SDK_AK", AK_VALUE + "\r\n", "HUAWEICLOUD_SDK_SK", "  " + SK_VALUE);
    AkSkCredentials trimmed = assertInstanceOf(AkSkCredentials.class, Credentials.fromEnvironment(env::get));
    assertEquals("Credentials.akSk(AK=QTWA****, SK=****)", trimmed.toString());
    assertFalse(trimmed.isTemporary());

    IllegalArgumentException badSk = assertThrows(IllegalArgumentException.class, () -> Credentials.fromEnvironment(
        Map.of("HUAWEICLOUD_SDK_AK", AK_VALUE, "HUAWEICLOUD_SDK_SK", "MFyfvK41 ba2gi")::get));
    assertTrue(badSk.getMessage().startsWith("HUAWEICLOUD_SDK_SK must be printable ASCII"), badSk.getMessage());
    assertFalse(badSk.getMessage().contains("MFyfvK41"), badSk.getMessage());

    IllegalArgumentException badToken = assertThrows(IllegalArgumentException.class,
        () -> Credentials.fromEnvironment(Map.of("CPH_AUTH_TOKEN", "MIIZ secret")::get));
    assertTrue(badToken.getMessage().startsWith("CPH_AUTH_TOKEN must be printable ASCII"), badToken.getMessage());
    assertFalse(badToken.getMessage().contains("MIIZ"), badToken.getMessage());
  }

  @Test
  void theNoArgumentFormReadsTheProcessEnvironment() {
    assertEquals(outcome(() -> Credentials.fromEnvironment(System::getenv)), outcome(Credentials::fromEnvironment));
    assertEquals(outcome(() -> Credentials.fromEnvironment(name -> null)),
        outcome(() -> Credentials.fromEnvironment(name -> VARIABLES.contains(name) ? null : System.getenv(name))));
  }

  private static String outcome(java.util.function.Supplier<Credentials> lookup) {
    try {
      return lookup.get().toString();
    } catch (RuntimeException e) {
      return e.getClass().getSimpleName() + ": " + e.getMessage();
    }
  }

  private static HttpRequest request() {
    return HttpRequest.builder("GET", URI.create("https://cph.cn-north-4.myhuaweicloud.com/v1/p/cloud-phone/jobs")).build();
  }

  private static void assertNoValues(String message) {
    for (String value : VALUES) {
      assertFalse(message.contains(value), message);
    }
  }
}
