package io.github.cphsdk.auth;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import io.github.cphsdk.CloudPhoneServiceException;
import io.github.cphsdk.CloudPhoneTransportException;
import io.github.cphsdk.http.HttpResponse;
import io.github.cphsdk.internal.json.ErrorBody;
import io.github.cphsdk.internal.json.Json;
import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** IAM answers are read with the streaming parser; these pin what is taken from which field. */
class IamAnswerParsingTest {

  private static byte[] json(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static ByteBuffer buffer(String s) {
    return ByteBuffer.wrap(json(s));
  }

  /**
   * Code, message and request id of an error answer, as the IAM login reads them ({@link ErrorBody#parseIam}):
   * IAM's nested {@code {"error":{"code","message","title"}}} first (the code only when it is text, the title when
   * there is no message), then {@code error_code}, {@code error_msg}, {@code request_id}. Blank values count as
   * absent; a body that is not a JSON object gives none.
   */
  private static String[] errorFields(ByteBuffer body) {
    ErrorBody e = ErrorBody.parseIam(body);
    return new String[] {e.errorCode, e.errorMessage, e.requestId};
  }

  @Test
  void tokenTimesComeFromTheTokenObjectOnly() throws IOException {
    assertArrayEquals(new String[] {"2026-11-28T09:05:22.701000Z", "2026-11-27T09:05:22.701000Z"},
        IamTokenExchange.tokenTimes(buffer("{\"expires_at\":\"x\",\"token\":{\"methods\":[\"password\"],"
            + "\"catalog\":[{\"a\":1}],\"expires_at\":\"2026-11-28T09:05:22.701000Z\","
            + "\"issued_at\":\"2026-11-27T09:05:22.701000Z\"}}")));
    assertArrayEquals(new String[2], IamTokenExchange.tokenTimes(buffer("{\"token\":\"not an object\"}")));
    assertArrayEquals(new String[2], IamTokenExchange.tokenTimes(buffer("[1,2]")));
    assertArrayEquals(new String[2], IamTokenExchange.tokenTimes(ByteBuffer.wrap(new byte[0])));
    assertArrayEquals(new String[] {null, null},
        IamTokenExchange.tokenTimes(buffer("{\"token\":{\"expires_at\":null,\"issued_at\":\" \"}}")));
    assertThrows(IOException.class, () -> IamTokenExchange.tokenTimes(buffer("<html>")));
  }

  @Test
  void nestedIamErrorsWinAndANumericCodeIsNoCode() throws IOException {
    assertArrayEquals(new String[] {null, "The username or password is wrong.", null},
        errorFields(buffer("{\"error\":{\"code\":401,\"message\":\"The username or password is wrong.\","
            + "\"title\":\"Unauthorized\"}}")));
    assertArrayEquals(new String[] {"IAM.0101", "Unauthorized", "rid"},
        errorFields(buffer("{\"request_id\":\"rid\",\"error\":{\"code\":\"IAM.0101\",\"message\":\" \","
            + "\"title\":\"Unauthorized\"},\"error_code\":\"APIGW.0301\",\"error_msg\":\"flat\"}")));
  }

  @Test
  void flatErrorsAreTheFallback() throws IOException {
    assertArrayEquals(new String[] {"APIGW.0301", "Incorrect IAM authentication information", "r1"},
        errorFields(buffer("{\"error_code\":\"APIGW.0301\",\"error_msg\":\"Incorrect IAM authentication"
            + " information\",\"request_id\":\"r1\",\"extra\":{\"nested\":[1,{\"error_code\":\"no\"}]}}")));
    assertArrayEquals(new String[3], errorFields(buffer("\"just a string\"")));
  }

  // ---- hostile answers: the IAM login reads through the same bounded parser as the CPH calls --------------

  /** Deeper than the SDK's limit (64) and shallower than any Jackson default (1000 from 2.15; none before). */
  private static final int DEEP = 100;
  private static final String DEEP_ARRAY = "[".repeat(DEEP) + "]".repeat(DEEP);
  /** Longer than the SDK's string limit (1 MiB of characters), shorter than Jackson's defaults (5 M and up). */
  private static final String LONG_TEXT = "x".repeat(1_048_577);

  private static IamTokenExchange exchange() {
    return new IamTokenExchange(URI.create("https://iam.example.com"), "user", "s3cret-password", "account",
        "0123456789abcdef0123456789abcdef", null);
  }

  private static HttpResponse tokenAnswer(String body) {
    return HttpResponse.of(201, Map.of(IamTokenExchange.SUBJECT_TOKEN_HEADER, List.of("MIItoken"),
        "Content-Type", List.of("application/json")), json(body), false);
  }

  /** What a parser without the SDK's limits makes of {@code body}: it reads it to the end. */
  private static void readsWithoutLimits(String body) throws IOException {
    try (JsonParser p = new JsonFactory().createParser(json(body))) {
      while (p.nextToken() != null) {
        p.getText();
      }
    }
  }

  @Test
  void aTokenAnswerTooDeepOrTooLongIsRefusedAsTheCphCallsRefuseIt() throws IOException {
    String expires = "\"expires_at\":\"2026-11-28T09:05:22.701000Z\"";
    IamTokenExchange exchange = exchange();
    assertEquals(Instant.parse("2026-11-28T09:05:22.701Z"),
        exchange.parse(tokenAnswer("{\"token\":{" + expires + "},\"extra\":" + "[".repeat(40) + "]".repeat(40)
            + "}"), Instant.EPOCH).expiresAt, "nesting within the limit is read");
    String[] hostile = {
        "{\"token\":{" + expires + "},\"extra\":" + DEEP_ARRAY + "}",
        "{\"extra\":" + DEEP_ARRAY + ",\"token\":{" + expires + "}}",
        // read by both: the push answer's request_id, the login's token.expires_at
        "{\"request_id\":\"" + LONG_TEXT + "\",\"token\":{\"expires_at\":\"" + LONG_TEXT + "\"}}",
    };
    for (String body : hostile) {
      readsWithoutLimits(body); // so what refuses it below is the SDK's limit, not the JSON
      CloudPhoneTransportException iam = assertThrows(CloudPhoneTransportException.class,
          () -> exchange.parse(tokenAnswer(body), Instant.EPOCH));
      assertTrue(iam.getMessage().contains("IAM answered 201 but its body is not JSON"), iam.getMessage());
      assertEquals(null, iam.getCause(), "no parser message (which may quote the body) is attached");
      IOException cph = assertThrows(IOException.class,
          () -> Json.shareAppsResponse(tokenAnswer(body).bodyBuffer(), null));
      assertTrue(cph.getMessage().contains("nesting depth") || cph.getMessage().contains("String value length"),
          cph.getMessage());
    }
  }

  @Test
  void anErrorAnswerTooDeepIsReadAsTheCphCallsReadIt() {
    String shallow = "{\"error\":{\"code\":\"IAM.0101\",\"message\":\"wrong password\"},\"extra\":[[1]]}";
    String deep = "{\"error\":{\"code\":\"IAM.0101\",\"message\":\"wrong password\"},\"extra\":" + DEEP_ARRAY
        + "}";
    HttpResponse refusedShallow = HttpResponse.of(401, Map.of(), json(shallow), false);
    CloudPhoneServiceException read = assertThrows(CloudPhoneServiceException.class,
        () -> exchange().parse(refusedShallow, Instant.EPOCH));
    assertEquals("IAM.0101", read.errorCode());
    assertEquals("wrong password", read.errorMessage());

    HttpResponse refusedDeep = HttpResponse.of(401, Map.of("X-Request-Id", List.of("hdr")), json(deep), false);
    CloudPhoneServiceException iam = assertThrows(CloudPhoneServiceException.class,
        () -> exchange().parse(refusedDeep, Instant.EPOCH));
    ErrorBody cph = ErrorBody.parse(refusedDeep.bodyBuffer());
    assertNull(cph.errorCode, "the CPH reader does not take fields from a body past the limits");
    assertTrue(cph.snippet.startsWith("{\"error\":{\"code\":\"IAM.0101\""), cph.snippet);
    assertEquals(cph.errorCode, iam.errorCode(), "nor does the IAM login");
    assertEquals(cph.errorMessage, iam.errorMessage());
    assertEquals(401, iam.statusCode());
    assertEquals("hdr", iam.requestId(), "the header's request id, as for any unreadable body");
  }

  @Test
  void bothReadingsOfAnErrorBodyComeFromOneParse() {
    String body = "{\"request_id\":\"rid\",\"error\":{\"code\":401,\"message\":\" \",\"title\":\"Unauthorized\"},"
        + "\"error_code\":\"APIGW.0301\",\"error_msg\":\"flat\"}";
    ErrorBody cps = ErrorBody.parse(buffer(body));
    assertEquals("APIGW.0301", cps.errorCode, "CPS: the flat fields win");
    assertEquals("flat", cps.errorMessage);
    assertEquals("rid", cps.requestId);
    ErrorBody iam = ErrorBody.parseIam(buffer(body));
    assertEquals("APIGW.0301", iam.errorCode, "IAM: a numeric nested code is no code, so the flat one stands");
    assertEquals("Unauthorized", iam.errorMessage, "IAM: the nested title stands in for a blank message");
    assertEquals("rid", iam.requestId);
    assertEquals(ErrorBody.parse(buffer("<html>x</html>")).snippet,
        ErrorBody.parseIam(buffer("<html>x</html>")).snippet);
  }
}
