package io.github.cphsdk.portability.archfixture.floors.low;

import io.github.cphsdk.portability.archfixture.floors.high.Top;

/** A ground-floor class that reaches up to the floor above: the arrow the floors rule must report. */
public final class Ground {
  /** {@return the name of a class one floor up} */
  public String upstairs() {
    return new Top().name();
  }
}
