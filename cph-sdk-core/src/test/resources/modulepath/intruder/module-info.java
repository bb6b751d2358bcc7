module cphsdk.intruder {
  requires io.github.cphsdk;
}
