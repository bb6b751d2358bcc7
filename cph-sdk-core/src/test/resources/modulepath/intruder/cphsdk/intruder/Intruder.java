package cphsdk.intruder;

/** Must not compile: io.github.cphsdk.internal is not exported. */
public final class Intruder {
  static final Class<?> INTERNAL = io.github.cphsdk.internal.Futures.class;
}
