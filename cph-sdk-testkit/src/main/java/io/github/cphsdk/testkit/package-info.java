/**
 * cph-sdk testkit: {@link io.github.cphsdk.testkit.FakeCloudPhoneServer}, a local Cloud Phone Host emulator
 * for tests and demos, with {@link io.github.cphsdk.testkit.FakeClock} to drive its jobs,
 * {@link io.github.cphsdk.testkit.Fault} to make it misbehave and
 * {@link io.github.cphsdk.testkit.RecordedRequest} to see what a client sent.
 *
 * <pre>{@code
 * try (FakeCloudPhoneServer server = FakeCloudPhoneServer.builder().token("t").start()) {
 *   URI endpoint = server.endpoint();   // http://127.0.0.1:<port>
 * }
 * }</pre>
 */
package io.github.cphsdk.testkit;
