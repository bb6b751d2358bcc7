package io.github.cphsdk.examples;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Reads the examples' settings from {@code --name=value} arguments, falling back to environment variables.
 * Not part of the SDK: a small helper for the programs in this module.
 */
final class Settings {
  private final Map<String, String> args = new LinkedHashMap<>();
  private final Function<String, String> env;

  Settings(String[] argv, Function<String, String> env) {
    this.env = env;
    for (String a : argv) {
      if (!a.startsWith("--") || a.indexOf('=') < 0) {
        throw new IllegalArgumentException("arguments look like --name=value, got \"" + a + "\"");
      }
      int eq = a.indexOf('=');
      args.put(a.substring(2, eq), a.substring(eq + 1));
    }
  }

  /** The argument {@code --name}, else the environment variable {@code envName}, else {@code null}. */
  String get(String name, String envName) {
    String v = args.get(name);
    if (v == null && envName != null) {
      v = env.apply(envName);
    }
    return v == null || v.isBlank() ? null : v.trim();
  }

  /** Comma-separated values. */
  List<String> list(String name, String envName) {
    String v = get(name, envName);
    List<String> out = new ArrayList<>();
    if (v != null) {
      Arrays.stream(v.split(",")).map(String::trim).filter(s -> !s.isEmpty()).forEach(out::add);
    }
    return out;
  }
}
