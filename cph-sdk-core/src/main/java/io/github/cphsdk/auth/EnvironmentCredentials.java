package io.github.cphsdk.auth;

import java.util.function.Function;

/** Finds credentials in environment variables; see {@link Credentials#fromEnvironment()}. */
final class EnvironmentCredentials {
  static final String AK = "HUAWEICLOUD_SDK_AK";
  static final String SK = "HUAWEICLOUD_SDK_SK";
  static final String SECURITY_TOKEN = "HUAWEICLOUD_SDK_SECURITY_TOKEN";
  static final String TOKEN = "CPH_AUTH_TOKEN";

  private EnvironmentCredentials() {}

  static Credentials from(Function<String, String> environment) {
    String ak = get(environment, AK);
    String sk = get(environment, SK);
    String securityToken = get(environment, SECURITY_TOKEN);
    if (ak != null && sk != null) {
      return AkSkCredentials.create(ak, sk, securityToken, null, AK, SK, SECURITY_TOKEN);
    }
    if (ak != null) {
      throw new IllegalStateException(AK + " is set but " + SK + " is missing or blank: set both for AK/SK signing");
    }
    if (sk != null) {
      throw new IllegalStateException(SK + " is set but " + AK + " is missing or blank: set both for AK/SK signing");
    }
    if (securityToken != null) {
      throw new IllegalStateException(SECURITY_TOKEN + " is set but " + AK + " and " + SK
          + " are missing or blank: temporary credentials need all three");
    }
    String token = get(environment, TOKEN);
    if (token != null) {
      String checked = TokenCredentials.check(token, TOKEN);
      return new TokenCredentials(() -> checked);
    }
    throw new IllegalStateException("no credentials in the environment: set " + AK + " and " + SK
        + " (and " + SECURITY_TOKEN + " for temporary credentials), or " + TOKEN + " for an IAM token");
  }

  /** The trimmed value, or {@code null} when the variable is unset or blank. */
  private static String get(Function<String, String> environment, String name) {
    String value = environment.apply(name);
    if (Secrets.isBlank(value)) {
      return null;
    }
    return value.trim();
  }
}
