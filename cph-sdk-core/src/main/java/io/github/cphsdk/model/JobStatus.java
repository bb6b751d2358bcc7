package io.github.cphsdk.model;

/**
 * The status of a CPH job ({@code status}): {@code 1} running, {@code 2} succeeded, {@code -1} failed. Any other
 * value is {@link #UNKNOWN}, which never counts as finished, let alone as success.
 *
 * <pre>{@code
 * Job job = client.showJob("1564567b8bab40f34711234cb80d0123");
 * switch (job.status()) {
 *   case SUCCEEDED: System.out.println("installed"); break;
 *   case FAILED: System.out.println(job.errorCode().orElse("") + " " + job.executeMsg().orElse("")); break;
 *   default: System.out.println("not finished yet"); // RUNNING or UNKNOWN
 * }
 * }</pre>
 */
public enum JobStatus {
  /** {@code 1}: the job is running. */
  RUNNING(1),
  /** {@code 2}: the job finished successfully. */
  SUCCEEDED(2),
  /** {@code -1}: the job failed; see {@link Job#errorCode()}, {@link Job#errorMsg()}, {@link Job#executeMsg()}. */
  FAILED(-1),
  /** Any other value, or none: treated as not finished. The value as sent is {@link Job#statusCode()}. */
  UNKNOWN(0);

  private final int code;

  JobStatus(int code) {
    this.code = code;
  }

  /** {@return the service's code: 1, 2, -1; {@code 0} for {@link #UNKNOWN} (not a code the service uses)} */
  public int code() {
    return code;
  }

  /** {@return true for {@link #SUCCEEDED} and {@link #FAILED}: the job will not change any more} */
  public boolean finished() {
    return this == SUCCEEDED || this == FAILED;
  }

  /**
   * The status for a code as the service sends it.
   *
   * @param code the {@code status} value of a job
   * @return the matching status; {@link #UNKNOWN} for anything but 1, 2 and -1
   */
  public static JobStatus of(int code) {
    switch (code) {
      case 1:
        return RUNNING;
      case 2:
        return SUCCEEDED;
      case -1:
        return FAILED;
      default:
        return UNKNOWN;
    }
  }
}
