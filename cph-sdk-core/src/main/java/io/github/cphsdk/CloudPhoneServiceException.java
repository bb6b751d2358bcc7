package io.github.cphsdk;

/**
 * The service (CPH, the API gateway in front of it, or IAM) answered with an error status.
 *
 * <pre>{@code
 * catch (CloudPhoneServiceException e) {
 *   e.statusCode();    // 400
 *   e.errorCode();     // "CPS.0148"
 *   e.errorMessage();  // the service's own words
 *   e.requestId();     // quote it to Huawei support
 * }
 * }</pre>
 *
 * <p>{@link #mayHaveBeenApplied()} is {@code false} for 4xx answers (the service refused the request) and
 * {@code true} for 5xx answers, where the service may have failed after starting jobs.
 */
public class CloudPhoneServiceException extends CloudPhoneException {
  private static final long serialVersionUID = 1L;

  /** The HTTP status. */
  private final int statusCode;
  /** The service's error code, or {@code null}. */
  private final String errorCode;
  /** The service's error message, or {@code null}. */
  private final String errorMessage;
  /** The request id, or {@code null}. */
  private final String requestId;

  /**
   * An error answer.
   *
   * @param message the full message (what happened, what to do next)
   * @param statusCode the HTTP status
   * @param errorCode the service's code such as {@code CPS.0148} or {@code APIGW.0308}, or {@code null}
   * @param errorMessage the service's message, or {@code null}
   * @param requestId the request id from the body or the {@code X-Request-Id} header, or {@code null}
   * @param mayHaveBeenApplied whether the service may have acted on the request
   * @param attempts the number of attempts made
   */
  public CloudPhoneServiceException(String message, int statusCode, String errorCode, String errorMessage,
      String requestId, boolean mayHaveBeenApplied, int attempts) {
    super(message, null, mayHaveBeenApplied, attempts);
    this.statusCode = statusCode;
    this.errorCode = errorCode;
    this.errorMessage = errorMessage;
    this.requestId = requestId;
  }

  /** {@return the HTTP status code of the answer, e.g. 400 or 503} */
  public int statusCode() {
    return statusCode;
  }

  /**
   * {@return the service's error code (e.g. {@code CPS.0148}, {@code APIGW.0308}), or {@code null} when it sent
   * none}
   */
  public String errorCode() {
    return errorCode;
  }

  /** {@return the service's error message, or {@code null} when it sent none} */
  public String errorMessage() {
    return errorMessage;
  }

  /** {@return the request id from the answer's body, else its {@code X-Request-Id} header, else {@code null}} */
  public String requestId() {
    return requestId;
  }
}
