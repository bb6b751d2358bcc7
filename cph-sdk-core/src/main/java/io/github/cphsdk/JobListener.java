package io.github.cphsdk;

import io.github.cphsdk.model.JobReport;
import io.github.cphsdk.model.ServerProgress;

/**
 * Follows a wait for jobs ({@link CloudPhoneClient#waitForJobs}): told when a server's job is first seen or
 * changes state, after every poll, and when a poll fails. All methods have empty defaults. They run on the
 * waiting thread (synchronous waits) or on the client's completion executor (asynchronous ones), one at a
 * time; keep them fast. A listener that throws is logged and ignored.
 *
 * <pre>{@code
 * JobListener progress = new JobListener() {
 *   public void serverChanged(ServerProgress server) {
 *     System.out.println(server.serverId() + " " + server.state() + " " + server.errorMsg().orElse(""));
 *   }
 *   public void polled(JobReport report) {
 *     System.out.print("\r" + report.succeeded().size() + " done, " + report.running().size() + " running");
 *   }
 * };
 * client.waitForJobs(response, WaitOptions.builder().listener(progress).build());
 * }</pre>
 */
public interface JobListener {

  /**
   * A server's job was listed for the first time, or its state changed (to succeeded or failed).
   *
   * @param server the server's state now
   */
  default void serverChanged(ServerProgress server) {}

  /**
   * A poll ended.
   *
   * @param progress where every server stands now
   */
  default void polled(JobReport progress) {}

  /**
   * A poll failed after the client's own retries with a failure that may pass (no answer, 429, 5xx); the
   * waiter tries again at the next interval.
   *
   * @param failure the exception the poll's call ended with
   * @param failedPolls how many polls have failed so far in this wait, including this one
   */
  default void pollFailed(CloudPhoneException failure, int failedPolls) {}
}
