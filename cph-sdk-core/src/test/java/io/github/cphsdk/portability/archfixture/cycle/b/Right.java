package io.github.cphsdk.portability.archfixture.cycle.b;

import io.github.cphsdk.portability.archfixture.cycle.a.Left;

/** The other half of the package cycle: {@code b} imports {@code a}. */
public final class Right {
  /** {@return a left half} */
  public Left left() {
    return new Left();
  }
}
