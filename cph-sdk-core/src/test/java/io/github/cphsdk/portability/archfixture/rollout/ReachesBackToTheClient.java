package io.github.cphsdk.portability.archfixture.rollout;

import io.github.cphsdk.CloudPhoneClient;
import io.github.cphsdk.internal.Futures;

/**
 * A "rollout" class that reaches back up to the client and into internal on purpose: ArchitectureTest proves
 * its rollout rules catch this.
 */
public final class ReachesBackToTheClient {
  static String names() {
    return CloudPhoneClient.class.getName() + Futures.class.getName();
  }
}
