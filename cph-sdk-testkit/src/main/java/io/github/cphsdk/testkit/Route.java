package io.github.cphsdk.testkit;

/** Which operation a method and raw path address, with the path parameters. Package-private. */
final class Route {
  final Operation operation;
  final String projectId;
  final String jobId;
  /** True when the path is one the service has but the method is not. */
  final boolean wrongMethod;

  private Route(Operation operation, String projectId, String jobId, boolean wrongMethod) {
    this.operation = operation;
    this.projectId = projectId;
    this.jobId = jobId;
    this.wrongMethod = wrongMethod;
  }

  static Route of(String method, String rawPath) {
    String[] s = rawPath == null ? new String[0] : rawPath.split("/", -1);
    // "", "v1", project, "cloud-phone", ...
    if (s.length < 5 || !s[0].isEmpty() || !"v1".equals(s[1]) || s[2].isEmpty() || !"cloud-phone".equals(s[3])) {
      return unknown(false);
    }
    String project = s[2];
    if (s.length == 6 && "phones".equals(s[4]) && "share-apps".equals(s[5])) {
      if ("POST".equals(method)) {
        return new Route(Operation.PUSH, project, null, false);
      }
      if ("DELETE".equals(method)) {
        return new Route(Operation.DELETE, project, null, false);
      }
      return unknown(true);
    }
    if (s.length == 5 && "jobs".equals(s[4])) {
      return "GET".equals(method) ? new Route(Operation.LIST_JOBS, project, null, false) : unknown(true);
    }
    if (s.length == 6 && "jobs".equals(s[4]) && !s[5].isEmpty()) {
      return "GET".equals(method) ? new Route(Operation.SHOW_JOB, project, s[5], false) : unknown(true);
    }
    return unknown(false);
  }

  private static Route unknown(boolean wrongMethod) {
    return new Route(Operation.UNKNOWN, null, null, wrongMethod);
  }
}
