package io.github.cphsdk.auth;

import io.github.cphsdk.http.HttpRequest;
import java.util.function.Supplier;

/** {@code X-Auth-Token} from a fixed token or a supplier asked on every attempt. */
final class TokenCredentials implements Credentials {
  static final String HEADER = "X-Auth-Token";

  private final Supplier<String> supplier;

  TokenCredentials(Supplier<String> supplier) {
    this.supplier = supplier;
  }

  static TokenCredentials of(String token) {
    String checked = check(token);
    return new TokenCredentials(() -> checked);
  }

  @Override
  public HttpRequest authorize(HttpRequest request, AuthContext context) {
    return request.withHeader(HEADER, check(supplier.get()));
  }

  static String check(String token) {
    if (token == null) {
      throw new IllegalArgumentException("token is required (Credentials.token got null)");
    }
    return check(token, "token");
  }

  /** Checks a token, naming it {@code name} in the message (never echoing it). */
  static String check(String token, String name) {
    if (token == null) {
      throw new IllegalArgumentException(name + " is required (got null)");
    }
    if (Secrets.isBlank(token)) { // String.isBlank is not on Android 26
      throw new IllegalArgumentException(name + " must not be blank");
    }
    for (int i = 0; i < token.length(); i++) {
      char c = token.charAt(i);
      if (c < 0x21 || c > 0x7e) {
        throw new IllegalArgumentException(
            name + " must be printable ASCII without spaces, CR or LF (bad character at index " + i + ")");
      }
    }
    return token;
  }

  @Override
  public String toString() {
    return "Credentials.token(****)";
  }
}
