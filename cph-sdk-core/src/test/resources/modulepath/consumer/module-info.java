module cphsdk.consumer {
  requires io.github.cphsdk;
}
