package io.github.cphsdk.testkit;

/**
 * The CPH operations {@link FakeCloudPhoneServer} serves, used to aim a {@link Fault} at one of them and to
 * filter {@link FakeCloudPhoneServer#requests(Operation) recorded requests}.
 *
 * <pre>{@code
 * server.injectFault(Fault.internalError().on(Operation.PUSH));
 * assertEquals(2, server.requests(Operation.LIST_JOBS).size());
 * }</pre>
 */
public enum Operation {
  /** {@code POST /v1/{project_id}/cloud-phone/phones/share-apps}. */
  PUSH("POST", "push shared applications"),
  /** {@code DELETE /v1/{project_id}/cloud-phone/phones/share-apps}, with a JSON body. */
  DELETE("DELETE", "delete shared applications"),
  /** {@code GET /v1/{project_id}/cloud-phone/jobs/{job_id}}. */
  SHOW_JOB("GET", "show job"),
  /** {@code GET /v1/{project_id}/cloud-phone/jobs?request_id=...}. */
  LIST_JOBS("GET", "list jobs"),
  /** Anything else: a path or method the service does not have (answered 404 {@code APIGW.0101}). */
  UNKNOWN("", "unknown API");

  private final String method;
  private final String description;

  Operation(String method, String description) {
    this.method = method;
    this.description = description;
  }

  /** {@return the HTTP method of this operation; empty for {@link #UNKNOWN}} */
  public String method() {
    return method;
  }

  /** {@return a few words naming the operation, for messages} */
  public String description() {
    return description;
  }
}
