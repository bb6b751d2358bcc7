package io.github.cphsdk.portability.archfixture.model;

import io.github.cphsdk.CloudPhoneClient;

/** A "model" class that depends on the client on purpose: ArchitectureTest proves its rule catches this. */
public final class DependsOnClient {
  static String name() {
    return CloudPhoneClient.class.getName();
  }
}
