package io.github.cphsdk.portability.archfixture.cycle.a;

import io.github.cphsdk.portability.archfixture.cycle.b.Right;

/** Half of a package cycle, which the cycle rule must report: {@code a} imports {@code b}. */
public final class Left {
  /** {@return a right half} */
  public Right right() {
    return new Right();
  }
}
