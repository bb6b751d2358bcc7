package io.github.cphsdk.auth;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.github.cphsdk.CloudPhoneException;
import io.github.cphsdk.CloudPhoneServiceException;
import io.github.cphsdk.CloudPhoneTimeoutException;
import io.github.cphsdk.CloudPhoneTransportException;
import io.github.cphsdk.http.HttpRequest;
import io.github.cphsdk.http.HttpResponse;
import io.github.cphsdk.http.HttpTransport;
import io.github.cphsdk.http.HttpTransportException;
import io.github.cphsdk.internal.Futures;
import io.github.cphsdk.internal.json.ErrorBody;
import io.github.cphsdk.internal.json.Json;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * One password login at IAM ({@code POST /v3/auth/tokens}): builds the request, sends it through the
 * client's transport, and turns the answer into an {@link IamToken} or an exception that names IAM. The
 * password goes only into the request body, written with a {@link JsonGenerator}; it is scrubbed from
 * anything IAM answers.
 */
final class IamTokenExchange {
  static final String SUBJECT_TOKEN_HEADER = "X-Subject-Token";
  /** With {@code nocatalog} IAM leaves the service catalog out; the answer is then a few KiB. */
  static final long MAX_RESPONSE_BYTES = 1024 * 1024;


  private final URI tokensUri;
  private final String userName;
  private final String password;
  private final String accountName;
  private final String projectId;
  private final String projectName;

  /** Exactly one of {@code projectId} and {@code projectName} is non-null. */
  IamTokenExchange(URI endpoint, String userName, String password, String accountName, String projectId,
      String projectName) {
    this.tokensUri = tokensUri(endpoint);
    this.userName = userName;
    this.password = password;
    this.accountName = accountName;
    this.projectId = projectId;
    this.projectName = projectName;
  }

  static URI tokensUri(URI endpoint) {
    String base = endpoint.toString();
    while (base.endsWith("/")) {
      base = base.substring(0, base.length() - 1);
    }
    return URI.create(base + "/v3/auth/tokens?nocatalog=true");
  }

  URI tokensUri() {
    return tokensUri;
  }

  /** The login request; the body holds the password and is never logged. */
  HttpRequest request(Duration timeout, Duration connectTimeout) {
    return HttpRequest.builder("POST", tokensUri)
        .header("Content-Type", "application/json;charset=utf8")
        .header("Accept", "application/json")
        .body(body())
        .timeout(timeout)
        .connectTimeout(connectTimeout.compareTo(timeout) < 0 ? connectTimeout : timeout)
        .maxResponseBytes(MAX_RESPONSE_BYTES)
        .build();
  }

  byte[] body() {
    ByteArrayOutputStream out = new ByteArrayOutputStream(256);
    try (JsonGenerator g = Json.generator(out)) {
      g.writeStartObject();
      g.writeObjectFieldStart("auth");
      g.writeObjectFieldStart("identity");
      g.writeArrayFieldStart("methods");
      g.writeString("password");
      g.writeEndArray();
      g.writeObjectFieldStart("password");
      g.writeObjectFieldStart("user");
      g.writeStringField("name", userName);
      g.writeStringField("password", password);
      g.writeObjectFieldStart("domain");
      g.writeStringField("name", accountName);
      g.writeEndObject(); // domain
      g.writeEndObject(); // user
      g.writeEndObject(); // password
      g.writeEndObject(); // identity
      g.writeObjectFieldStart("scope");
      g.writeObjectFieldStart("project");
      if (projectId != null) {
        g.writeStringField("id", projectId);
      } else {
        g.writeStringField("name", projectName);
      }
      g.writeEndObject(); // project
      g.writeEndObject(); // scope
      g.writeEndObject(); // auth
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException("could not write the IAM request body", e); // cannot happen in memory
    }
    return out.toByteArray();
  }

  /** Sends the login without blocking; the future fails with a {@link CloudPhoneException} naming IAM. */
  CompletableFuture<IamToken> fetch(HttpTransport transport, Clock clock, Duration timeout, Duration connectTimeout) {
    Instant startedAt = clock.instant();
    CompletableFuture<HttpResponse> sent;
    try {
      sent = transport.executeAsync(request(timeout, connectTimeout));
    } catch (RuntimeException e) {
      sent = Futures.failed(e);
    }
    CompletableFuture<IamToken> result = new CompletableFuture<>();
    sent.whenComplete((response, error) -> {
      try {
        if (error != null) {
          result.completeExceptionally(transportFailure(error, timeout));
        } else {
          result.complete(parse(response, startedAt));
        }
      } catch (RuntimeException e) {
        result.completeExceptionally(e);
      }
    });
    return result;
  }

  /** Reads IAM's answer: 2xx with {@code X-Subject-Token} and {@code token.expires_at}, or an error. */
  IamToken parse(HttpResponse response, Instant startedAt) {
    int status = response.statusCode();
    if (status < 200 || status > 299) {
      throw refused(response);
    }
    String host = tokensUri.getHost();
    String token = response.header(SUBJECT_TOKEN_HEADER).orElse(null);
    if (token == null || token.isEmpty()) {
      throw unreadable("IAM answered " + status + " but sent no " + SUBJECT_TOKEN_HEADER + " header (IAM at " + host
          + ")");
    }
    if (!isPrintableAscii(token)) {
      throw unreadable("IAM answered " + status + " with an " + SUBJECT_TOKEN_HEADER
          + " header that is not printable ASCII (IAM at " + host + ")");
    }
    if (response.bodyTruncated()) {
      throw unreadable("IAM's token answer is larger than " + MAX_RESPONSE_BYTES + " bytes (IAM at " + host + ")");
    }
    String[] times;
    try {
      times = tokenTimes(response.bodyBuffer());
    } catch (IOException e) { // not JSON, or past Json's limits (too deep, too long); no cause: it may quote the body
      throw unreadable("IAM answered " + status + " but its body is not JSON (IAM at " + host + ")");
    }
    Instant expiresAt = parseTime(times[0]);
    if (expiresAt == null) {
      throw unreadable("IAM answered " + status + " but its body has no readable token.expires_at (IAM at " + host
          + ")");
    }
    Instant issuedAt = parseTime(times[1]);
    // IAM's clock may differ from ours: with issued_at, measure the lifetime on IAM's clock and start it at
    // the moment we sent the request, which is never later than IAM issued the token.
    Instant localExpiry = issuedAt != null && issuedAt.isBefore(expiresAt)
        ? startedAt.plus(Duration.between(issuedAt, expiresAt))
        : expiresAt;
    return new IamToken(token, localExpiry, startedAt);
  }

  private CloudPhoneServiceException refused(HttpResponse response) {
    int status = response.statusCode();
    String errorCode = null;
    String errorMessage = null;
    String requestId = null;
    if (response.bodyLength() > 0) { // not JSON (an HTML page from a proxy): all null, the status alone is reported
      ErrorBody e = ErrorBody.parseIam(response.bodyBuffer());
      errorCode = e.errorCode;
      errorMessage = e.errorMessage;
      requestId = e.requestId;
    }
    if (requestId == null) {
      requestId = response.header("X-Request-Id").orElse(null);
    }
    errorMessage = Secrets.scrub(errorMessage, password);
    errorCode = Secrets.scrub(errorCode, password);
    requestId = Secrets.scrub(requestId, password);

    String who = "user '" + userName + "' in account '" + accountName + "'";
    StringBuilder m = new StringBuilder(160);
    if (status == 401 || status == 403) {
      m.append("IAM refused the password login of ").append(who);
    } else if (status >= 400 && status < 500) {
      m.append("IAM rejected the token request of ").append(who);
    } else {
      m.append("IAM could not issue a token for ").append(who);
    }
    m.append(" (IAM at ").append(tokensUri.getHost()).append("): ").append(status);
    if (errorCode != null) {
      m.append(' ').append(errorCode);
    }
    m.append(' ').append(errorMessage != null ? errorMessage : "(no error message)");
    if (requestId != null) {
      m.append(" [request id ").append(requestId).append(']');
    }
    if (status == 401 || status == 403) {
      m.append(". Check the user name, the password and the account (domain) name, and that the user is neither"
          + " locked nor disabled");
    } else if (status == 400 || status == 404) {
      m.append(". Check the project ").append(projectId != null ? "id '" + projectId + "'" : "name '" + projectName + "'")
          .append(" and the IAM endpoint");
    }
    return new CloudPhoneServiceException(Secrets.scrub(m.toString(), password), status, errorCode, errorMessage,
        requestId, false, 0);
  }

  private CloudPhoneTransportException transportFailure(Throwable error, Duration timeout) {
    Throwable cause = error;
    while ((cause instanceof CompletionException || cause instanceof ExecutionException) && cause.getCause() != null) {
      cause = cause.getCause();
    }
    String host = tokensUri.getHost();
    if (cause instanceof HttpTransportException && ((HttpTransportException) cause).kind().isTimeout()) {
      return new CloudPhoneTimeoutException(Secrets.scrub("IAM did not answer the token request within "
          + timeout.toMillis() + " ms (IAM at " + host + "): " + cause.getMessage(), password), cause, false, 0);
    }
    return new CloudPhoneTransportException(Secrets.scrub("IAM token request failed (IAM at " + host + "): "
        + cause.getMessage(), password), cause, false, 0);
  }

  private CloudPhoneTransportException unreadable(String message) {
    return new CloudPhoneTransportException(message, null, false, 0);
  }

  /** ISO-8601 with or without an offset (none means UTC) and with any number of fraction digits. */
  static Instant parseTime(String text) {
    if (Secrets.isBlank(text)) {
      return null;
    }
    try {
      return OffsetDateTime.parse(text, DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant();
    } catch (DateTimeParseException e) {
      try {
        return LocalDateTime.parse(text, DateTimeFormatter.ISO_LOCAL_DATE_TIME).toInstant(ZoneOffset.UTC);
      } catch (DateTimeParseException e2) {
        return null;
      }
    }
  }

  /**
   * {@code token.expires_at} and {@code token.issued_at} of a token answer (each {@code null} when absent
   * or not a scalar), read with the streaming parser (no data binding) from the buffer's position to its limit;
   * see {@code Json.parser(ByteBuffer)} for how a read-only buffer is read.
   *
   * @throws IOException when the body is not JSON
   */
  static String[] tokenTimes(ByteBuffer body) throws IOException {
    String[] times = new String[2];
    try (JsonParser p = Json.parser(body)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        return times; // a JSON value but no object: no token in it
      }
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String field = p.currentName();
        JsonToken value = p.nextToken();
        if ("token".equals(field) && value == JsonToken.START_OBJECT) {
          while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            String text = scalar(p, p.nextToken());
            if ("expires_at".equals(name)) {
              times[0] = text;
            } else if ("issued_at".equals(name)) {
              times[1] = text;
            }
          }
        } else {
          p.skipChildren();
        }
      }
    }
    return times;
  }

  /** The text of a scalar value, {@code null} for null, blank text, objects and arrays (which are skipped). */
  private static String scalar(JsonParser p, JsonToken t) throws IOException {
    if (t == null || t == JsonToken.VALUE_NULL) {
      return null;
    }
    if (t.isStructStart()) {
      p.skipChildren();
      return null;
    }
    String s = p.getText();
    return Secrets.isBlank(s) ? null : s;
  }

  private static boolean isPrintableAscii(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x21 || c > 0x7e) {
        return false;
      }
    }
    return true;
  }

  @Override
  public String toString() {
    return "IamTokenExchange{" + tokensUri + ", user=" + userName + ", account=" + accountName + ", password="
        + Secrets.MASK + '}';
  }
}
