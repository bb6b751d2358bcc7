package io.github.cphsdk.testkit;

import java.time.Duration;

/** How one configured server behaves. Package-private, mutable only while the builder fills it. */
final class ServerProfile {
  String rejectCode;
  String rejectMessage;
  String failCode;
  String failMessage;
  String failExecuteMessage;
  boolean unknownStatus;
  Duration jobDuration;

  ServerProfile copy() {
    ServerProfile p = new ServerProfile();
    p.rejectCode = rejectCode;
    p.rejectMessage = rejectMessage;
    p.failCode = failCode;
    p.failMessage = failMessage;
    p.failExecuteMessage = failExecuteMessage;
    p.unknownStatus = unknownStatus;
    p.jobDuration = jobDuration;
    return p;
  }
}
