package io.github.cphsdk.testkit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.cphsdk.testkit.internal.AuthorizationHeader;
import io.github.cphsdk.testkit.internal.FieldRules;
import io.github.cphsdk.testkit.internal.QueryString;
import io.github.cphsdk.testkit.internal.SdkHmacSha256;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * The emulated service: routing, authentication, validation, jobs. No HTTP here: {@link FakeCloudPhoneServer}
 * feeds it requests. Thread-safe: credentials live in concurrent sets, the rest is guarded by {@code this}.
 */
final class Emulator {
  static final int STATUS_RUNNING = 1;
  static final int STATUS_SUCCEEDED = 2;
  static final int STATUS_FAILED = -1;
  static final int STATUS_UNKNOWN = 3;
  static final Duration MAX_DATE_SKEW = Duration.ofMinutes(15);
  static final int MAX_REQUEST_IDS = 20;

  static final String NOT_SUPPORTED_CODE = "CPS.0149";
  static final String NOT_SUPPORTED_MESSAGE = "The server does not support shared applications.";

  private static final DateTimeFormatter SDK_DATE =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'", Locale.ROOT);
  private static final DateTimeFormatter JOB_TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss'Z'", Locale.ROOT).withZone(ZoneOffset.UTC);
  private static final SecureRandom RANDOM = new SecureRandom();

  enum JobKind { PUSH, DELETE }

  static final class KeyPair {
    final String secretKey;
    final String securityToken;

    KeyPair(String secretKey, String securityToken) {
      this.secretKey = secretKey;
      this.securityToken = securityToken;
    }
  }

  static final class Job {
    final String requestId;
    final String jobId;
    final String serverId;
    final JobKind kind;
    final String packageName;
    final Instant begin;
    final Instant end;
    final String failCode;
    final String failMessage;
    final String failExecuteMessage;
    final boolean unknownStatus;

    Job(String requestId, String jobId, String serverId, JobKind kind, String packageName, Instant begin,
        Instant end, ServerProfile profile) {
      this.requestId = requestId;
      this.jobId = jobId;
      this.serverId = serverId;
      this.kind = kind;
      this.packageName = packageName;
      this.begin = begin;
      this.end = end;
      this.failCode = profile == null ? null : profile.failCode;
      this.failMessage = profile == null ? null : profile.failMessage;
      this.failExecuteMessage = profile == null ? null : profile.failExecuteMessage;
      this.unknownStatus = profile != null && profile.unknownStatus;
    }

    boolean finished(Instant now) {
      return !now.isBefore(end);
    }

    boolean failed() {
      return failCode != null;
    }

    int status(Instant now) {
      if (!finished(now)) {
        return unknownStatus ? STATUS_UNKNOWN : STATUS_RUNNING;
      }
      return failed() ? STATUS_FAILED : STATUS_SUCCEEDED;
    }
  }

  /** One request as the emulator sees it. */
  static final class Incoming {
    final String method;
    final String rawPath;
    final String rawQuery;
    final Function<String, String> header;
    final byte[] body;
    final boolean bodyTooLarge;
    final Instant now;

    Incoming(String method, String rawPath, String rawQuery, Function<String, String> header, byte[] body,
        boolean bodyTooLarge, Instant now) {
      this.method = method;
      this.rawPath = rawPath;
      this.rawQuery = rawQuery;
      this.header = header;
      this.body = body;
      this.bodyTooLarge = bodyTooLarge;
      this.now = now;
    }
  }

  private final ObjectMapper mapper = new ObjectMapper();
  private final String projectId;
  private final Set<String> tokens = ConcurrentHashMap.newKeySet();
  private final Set<String> expiredTokens = ConcurrentHashMap.newKeySet();
  private final Map<String, KeyPair> keyPairs;
  private final Clock clock;
  private final Duration jobDuration;
  private final int maxServersPerRequest;
  private final Set<String> knownServers;
  private final Map<String, ServerProfile> profiles;

  // guarded by this
  private final Map<String, Job> jobsById = new LinkedHashMap<>();
  private final Map<String, List<Job>> jobsByRequest = new HashMap<>();
  private final Map<String, List<Job>> jobsByServer = new HashMap<>();
  private final Map<String, Set<String>> seededApps;
  private int pushCount;
  private int deleteCount;
  private final List<String> pushedServerIds = new ArrayList<>();
  private final List<String> deletedServerIds = new ArrayList<>();

  Emulator(String projectId, Set<String> tokens, Map<String, KeyPair> keyPairs, Clock clock, Duration jobDuration,
      int maxServersPerRequest, Set<String> knownServers, Map<String, ServerProfile> profiles,
      Map<String, Set<String>> seededApps) {
    this.projectId = projectId;
    this.tokens.addAll(tokens);
    this.keyPairs = Map.copyOf(keyPairs);
    this.clock = clock;
    this.jobDuration = jobDuration;
    this.maxServersPerRequest = maxServersPerRequest;
    this.knownServers = knownServers == null ? null : Set.copyOf(knownServers);
    Map<String, ServerProfile> p = new HashMap<>();
    profiles.forEach((id, profile) -> p.put(id, profile.copy()));
    this.profiles = Collections.unmodifiableMap(p);
    this.seededApps = new HashMap<>();
    seededApps.forEach((id, apps) -> this.seededApps.put(id, new HashSet<>(apps)));
  }

  static String newId() {
    byte[] b = new byte[16];
    RANDOM.nextBytes(b);
    StringBuilder sb = new StringBuilder(32);
    for (byte x : b) {
      sb.append(Character.forDigit((x >> 4) & 0xf, 16)).append(Character.forDigit(x & 0xf, 16));
    }
    return sb.toString();
  }

  Clock clock() {
    return clock;
  }

  String projectId() {
    return projectId;
  }

  void acceptToken(String token) {
    expiredTokens.remove(token);
    tokens.add(token);
  }

  void expireToken(String token) {
    tokens.remove(token);
    expiredTokens.add(token);
  }

  // ---------------------------------------------------------------- the request pipeline

  Answer handle(Incoming in) {
    Route route = Route.of(in.method, in.rawPath);
    String requestId = newId();
    if (route.operation == Operation.UNKNOWN) {
      String message = route.wrongMethod
          ? "No API matches method " + in.method + " on this path."
          : "The API does not exist or has not been published in the environment.";
      return Answer.error(404, "APIGW.0101", message, requestId);
    }
    Answer denied = authenticate(in, requestId);
    if (denied != null) {
      return denied;
    }
    if (!projectId.equals(route.projectId)) {
      return Answer.error(400, "CPS.0001", "No permission to request resources.", requestId);
    }
    if (in.bodyTooLarge) {
      return Answer.error(400, "CPS.0100", "Request body is too large.", requestId);
    }
    switch (route.operation) {
      case PUSH:
        return pushOrDelete(in, requestId, JobKind.PUSH);
      case DELETE:
        return pushOrDelete(in, requestId, JobKind.DELETE);
      case LIST_JOBS:
        return listJobs(in, requestId);
      case SHOW_JOB:
        return showJob(in, route.jobId, requestId);
      default:
        throw new IllegalStateException("unhandled " + route.operation);
    }
  }

  // ---------------------------------------------------------------- authentication

  private Answer authenticate(Incoming in, String requestId) {
    if (tokens.isEmpty() && expiredTokens.isEmpty() && keyPairs.isEmpty()) {
      return null; // no credentials configured: the server is open
    }
    String token = in.header.apply("x-auth-token");
    if (token != null) {
      if (expiredTokens.contains(token)) {
        return Answer.error(401, "APIGW.0307", "The token must be updated.", requestId);
      }
      return tokens.contains(token) ? null : unauthorized("the token is not valid", requestId);
    }
    String authorization = in.header.apply("authorization");
    if (authorization == null) {
      return unauthorized("neither X-Auth-Token nor Authorization was sent", requestId);
    }
    String problem = verifySignature(in, authorization);
    return problem == null ? null : unauthorized(problem, requestId);
  }

  private static Answer unauthorized(String reason, String requestId) {
    return Answer.error(401, "APIGW.0301", "Incorrect IAM authentication information: " + reason, requestId);
  }

  /** Returns null when the AK/SK signature is good, else why not (never a secret). */
  private String verifySignature(Incoming in, String authorization) {
    AuthorizationHeader auth;
    try {
      auth = AuthorizationHeader.parse(authorization);
    } catch (IllegalArgumentException e) {
      return e.getMessage();
    }
    KeyPair keyPair = keyPairs.get(auth.accessKey());
    if (keyPair == null) {
      return "the access key is not known";
    }
    List<String> signed = auth.signedHeaders();
    for (int i = 0; i < signed.size(); i++) {
      String name = signed.get(i);
      if (name.isEmpty() || !name.equals(name.toLowerCase(Locale.ROOT))
          || (i > 0 && signed.get(i - 1).compareTo(name) >= 0)) {
        return "SignedHeaders must list distinct lower-case header names in ascending order";
      }
    }
    if (!signed.contains("host") || !signed.contains("x-sdk-date")) {
      return "SignedHeaders must include host and x-sdk-date";
    }
    for (String name : signed) {
      if (in.header.apply(name) == null) {
        return "the signed header " + name + " is missing from the request";
      }
    }
    String sdkDate = in.header.apply("x-sdk-date").trim();
    Instant signedAt;
    try {
      signedAt = LocalDateTime.parse(sdkDate, SDK_DATE).toInstant(ZoneOffset.UTC);
    } catch (DateTimeParseException e) {
      return "X-Sdk-Date must be a UTC time like 20260101T120000Z";
    }
    if (Duration.between(signedAt, in.now).abs().compareTo(MAX_DATE_SKEW) > 0) {
      return "X-Sdk-Date is more than 15 minutes away from the server's time " + SDK_DATE.format(
          LocalDateTime.ofInstant(in.now, ZoneOffset.UTC));
    }
    if (keyPair.securityToken != null) {
      String sent = in.header.apply("x-security-token");
      if (sent == null || !signed.contains("x-security-token")) {
        return "temporary credentials need a signed X-Security-Token header";
      }
      if (!MessageDigest.isEqual(sent.trim().getBytes(StandardCharsets.UTF_8),
          keyPair.securityToken.getBytes(StandardCharsets.UTF_8))) {
        return "the security token is not valid";
      }
    }
    String canonical;
    try {
      canonical = SdkHmacSha256.canonicalRequest(in.method, in.rawPath, QueryString.parse(in.rawQuery), signed,
          in.header, in.body);
    } catch (IllegalArgumentException e) {
      return "the path or query is not well percent-encoded";
    }
    String expected = SdkHmacSha256.signature(keyPair.secretKey, SdkHmacSha256.stringToSign(sdkDate, canonical));
    if (!SdkHmacSha256.sameSignature(expected, auth.signature())) {
      return "the signature does not match";
    }
    return null;
  }

  // ---------------------------------------------------------------- push and delete

  /** The strings in a body's {@code server_ids} array (for faults aimed at one server); empty when there are none. */
  List<String> serverIdsIn(byte[] body) {
    List<String> ids = new ArrayList<>();
    try {
      JsonNode root = body.length == 0 ? null : mapper.readTree(body);
      JsonNode array = root == null ? null : root.get("server_ids");
      if (array != null && array.isArray()) {
        array.forEach(id -> {
          if (id.isTextual()) {
            ids.add(id.asText());
          }
        });
      }
    } catch (IOException notJson) {
      // no server ids
    }
    return ids;
  }

  private Answer pushOrDelete(Incoming in, String requestId, JobKind kind) {
    JsonNode root;
    try {
      root = in.body.length == 0 ? null : mapper.readTree(in.body);
    } catch (IOException e) {
      root = null;
    }
    if (root == null || !root.isObject()) {
      return invalid("Request body is not a valid JSON object.", requestId);
    }
    JsonNode pkgNode = root.get("package_name");
    String pkg = pkgNode != null && pkgNode.isTextual() ? pkgNode.asText() : null;
    String pkgProblem = pkgNode != null && !pkgNode.isNull() && !pkgNode.isTextual()
        ? "must be a string" : FieldRules.packageName(pkg);
    if (pkgProblem != null) {
      return Answer.error(400, "CPS.0173", "Parameter: package_name is invalid: " + pkgProblem + ".", requestId);
    }
    if (kind == JobKind.PUSH) {
      JsonNode pre = root.get("pre_install_app");
      if (pre != null && !pre.isNull()
          && !(pre.isIntegralNumber() && (pre.asLong() == 0 || pre.asLong() == 1))) {
        return Answer.error(400, "CPS.0148", "Parameter: pre_install_app is invalid: must be 0 or 1.", requestId);
      }
      String problem = textField(root, "bucket_name", FieldRules::bucketName);
      if (problem == null) {
        problem = textField(root, "object_path", FieldRules::objectPath);
      }
      if (problem != null) {
        return invalid(problem, requestId);
      }
    }
    JsonNode idsNode = root.get("server_ids");
    if (idsNode == null || idsNode.isNull() || !idsNode.isArray() || idsNode.size() == 0) {
      return invalid("Parameter: server_ids is invalid: must be a non-empty array of server ids.", requestId);
    }
    if (idsNode.size() > maxServersPerRequest) {
      return invalid("Parameter: server_ids is invalid: " + idsNode.size() + " server ids, at most "
          + maxServersPerRequest + " are allowed per request.", requestId);
    }
    List<String> ids = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    for (JsonNode id : idsNode) {
      if (!id.isTextual()) {
        return invalid("Parameter: server_ids is invalid: every entry must be a string.", requestId);
      }
      if (!seen.add(id.asText())) {
        return invalid("Parameter: server_ids is invalid: server ids must not repeat.", requestId);
      }
      ids.add(id.asText());
    }

    ObjectNode answer = mapper.createObjectNode();
    answer.put("request_id", requestId);
    ArrayNode jobs = answer.putArray("jobs");
    synchronized (this) {
      for (String serverId : ids) {
        ObjectNode job = jobs.addObject();
        job.put("server_id", serverId);
        ServerProfile profile = profiles.get(serverId);
        if (!FieldRules.isServerId(serverId) || (knownServers != null && !knownServers.contains(serverId))) {
          job.put("error_code", "CPS.0016");
          job.put("error_msg", "server_id is invalid.");
        } else if (profile != null && profile.rejectCode != null) {
          job.put("error_code", profile.rejectCode);
          job.put("error_msg", profile.rejectMessage);
        } else if (kind == JobKind.DELETE && !hasApp(serverId, pkg, in.now)) {
          job.put("error_code", "CPS.0150");
          job.put("error_msg", "The shared application " + pkg + " is not on the server.");
        } else {
          Duration d = profile != null && profile.jobDuration != null ? profile.jobDuration : jobDuration;
          Job started = new Job(requestId, newId(), serverId, kind, pkg, in.now, in.now.plus(d), profile);
          jobsById.put(started.jobId, started);
          jobsByRequest.computeIfAbsent(requestId, k -> new ArrayList<>()).add(started);
          jobsByServer.computeIfAbsent(serverId, k -> new ArrayList<>()).add(started);
          (kind == JobKind.PUSH ? pushedServerIds : deletedServerIds).add(serverId);
          job.put("job_id", started.jobId);
        }
      }
      if (kind == JobKind.PUSH) {
        pushCount++;
      } else {
        deleteCount++;
      }
    }
    return Answer.json(200, write(answer), requestId);
  }

  private static String textField(JsonNode root, String field, Function<String, String> rule) {
    JsonNode node = root.get(field);
    if (node != null && !node.isNull() && !node.isTextual()) {
      return "Parameter: " + field + " is invalid: must be a string.";
    }
    String problem = rule.apply(node == null || node.isNull() ? null : node.asText());
    return problem == null ? null : "Parameter: " + field + " is invalid: " + problem + ".";
  }

  /** Is {@code pkg} on the server: seeded or pushed by a finished, successful job, and not deleted since. */
  private boolean hasApp(String serverId, String pkg, Instant now) {
    boolean present = seededApps.getOrDefault(serverId, Set.of()).contains(pkg);
    List<Job> jobs = new ArrayList<>(jobsByServer.getOrDefault(serverId, List.of()));
    jobs.sort((a, b) -> a.end.compareTo(b.end));
    for (Job job : jobs) {
      if (job.packageName.equals(pkg) && job.finished(now) && !job.failed()) {
        present = job.kind == JobKind.PUSH;
      }
    }
    return present;
  }

  private static Answer invalid(String message, String requestId) {
    return Answer.error(400, "CPS.0100", message, requestId);
  }

  // ---------------------------------------------------------------- jobs

  private Answer listJobs(Incoming in, String requestId) {
    List<Map.Entry<String, String>> params;
    try {
      params = QueryString.parse(in.rawQuery);
    } catch (IllegalArgumentException e) {
      return invalid("The query string is not well percent-encoded.", requestId);
    }
    Map<String, String> q = new HashMap<>();
    for (Map.Entry<String, String> p : params) {
      q.putIfAbsent(p.getKey(), p.getValue());
    }
    Set<String> wanted = new LinkedHashSet<>();
    if (q.containsKey("request_ids")) {
      for (String id : q.get("request_ids").split(",", -1)) {
        if (!id.trim().isEmpty()) {
          wanted.add(id.trim());
        }
      }
      if (wanted.isEmpty() || wanted.size() > MAX_REQUEST_IDS) {
        return invalid("Parameter: request_ids is invalid: give 1 to " + MAX_REQUEST_IDS
            + " request ids separated by ','.", requestId);
      }
    } else if (q.containsKey("request_id") && !q.get("request_id").trim().isEmpty()) {
      wanted.add(q.get("request_id").trim());
    } else {
      return invalid("Parameter: request_id or request_ids is required.", requestId);
    }
    int offset;
    int limit;
    try {
      offset = q.containsKey("offset") ? Integer.parseInt(q.get("offset")) : 0;
      limit = q.containsKey("limit") ? Integer.parseInt(q.get("limit")) : 100;
    } catch (NumberFormatException e) {
      return offsetOrLimitInvalid(requestId);
    }
    if (offset < 0 || limit < 1 || limit > 100) {
      return offsetOrLimitInvalid(requestId);
    }
    ObjectNode answer = mapper.createObjectNode();
    answer.put("request_id", requestId);
    ArrayNode out = answer.putArray("jobs");
    synchronized (this) {
      List<Job> all = new ArrayList<>();
      for (String id : wanted) {
        all.addAll(jobsByRequest.getOrDefault(id, List.of()));
      }
      for (int i = offset; i < all.size() && i < (long) offset + limit; i++) {
        writeJob(out.addObject(), all.get(i), in.now);
      }
    }
    return Answer.json(200, write(answer), requestId);
  }

  private static Answer offsetOrLimitInvalid(String requestId) {
    return Answer.error(400, "CPS.0002", "Parameter: offset or limit is invalid.", requestId);
  }

  private Answer showJob(Incoming in, String rawJobId, String requestId) {
    String jobId;
    try {
      jobId = QueryString.decode(rawJobId);
    } catch (IllegalArgumentException e) {
      jobId = rawJobId;
    }
    ObjectNode answer = mapper.createObjectNode();
    synchronized (this) {
      Job job = jobsById.get(jobId);
      if (job == null) {
        return Answer.error(404, "CPS.0018", "Job is not found.", requestId);
      }
      writeJob(answer, job, in.now);
    }
    return Answer.json(200, write(answer), requestId);
  }

  private static void writeJob(ObjectNode node, Job job, Instant now) {
    node.put("request_id", job.requestId);
    node.put("server_id", job.serverId);
    node.put("job_id", job.jobId);
    node.put("begin_time", JOB_TIME.format(job.begin));
    int status = job.status(now);
    if (job.finished(now)) {
      node.put("end_time", JOB_TIME.format(job.end));
    }
    node.put("status", status);
    if (status == STATUS_FAILED) {
      node.put("error_code", job.failCode);
      node.put("error_msg", job.failMessage);
      if (job.failExecuteMessage != null) {
        node.put("execute_msg", job.failExecuteMessage);
      }
    }
  }

  private String write(JsonNode node) {
    try {
      return mapper.writeValueAsString(node);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write JSON", e);
    }
  }

  // ---------------------------------------------------------------- counters for assertions

  synchronized int pushCount() {
    return pushCount;
  }

  synchronized int deleteCount() {
    return deleteCount;
  }

  synchronized List<String> pushedServerIds() {
    return List.copyOf(pushedServerIds);
  }

  synchronized List<String> deletedServerIds() {
    return List.copyOf(deletedServerIds);
  }

  synchronized void resetCounters() {
    pushCount = 0;
    deleteCount = 0;
    pushedServerIds.clear();
    deletedServerIds.clear();
  }

  synchronized int jobCount() {
    return jobsById.size();
  }
}
