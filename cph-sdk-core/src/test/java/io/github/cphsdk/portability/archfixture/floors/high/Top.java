package io.github.cphsdk.portability.archfixture.floors.high;

/** A class on the upper floor of the fixture. */
public final class Top {
  /** {@return a name} */
  public String name() {
    return "top";
  }
}
