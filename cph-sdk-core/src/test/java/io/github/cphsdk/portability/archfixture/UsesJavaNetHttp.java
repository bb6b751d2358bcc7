package io.github.cphsdk.portability.archfixture;

/** Touches java.net.http on purpose: ArchitectureTest proves its rule catches this. */
public final class UsesJavaNetHttp {
  static Object client() {
    return java.net.http.HttpClient.newHttpClient();
  }
}
