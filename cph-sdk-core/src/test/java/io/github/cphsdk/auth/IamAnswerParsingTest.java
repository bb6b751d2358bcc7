package io.github.cphsdk.auth;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** IAM answers are read with the streaming parser; these pin what is taken from which field. */
class IamAnswerParsingTest {

  private static byte[] json(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void tokenTimesComeFromTheTokenObjectOnly() throws IOException {
    assertArrayEquals(new String[] {"2026-11-28T09:05:22.701000Z", "2026-11-27T09:05:22.701000Z"},
        IamTokenExchange.tokenTimes(json("{\"expires_at\":\"x\",\"token\":{\"methods\":[\"password\"],"
            + "\"catalog\":[{\"a\":1}],\"expires_at\":\"2026-11-28T09:05:22.701000Z\","
            + "\"issued_at\":\"2026-11-27T09:05:22.701000Z\"}}")));
    assertArrayEquals(new String[2], IamTokenExchange.tokenTimes(json("{\"token\":\"not an object\"}")));
    assertArrayEquals(new String[2], IamTokenExchange.tokenTimes(json("[1,2]")));
    assertArrayEquals(new String[2], IamTokenExchange.tokenTimes(new byte[0]));
    assertArrayEquals(new String[] {null, null},
        IamTokenExchange.tokenTimes(json("{\"token\":{\"expires_at\":null,\"issued_at\":\" \"}}")));
    assertThrows(IOException.class, () -> IamTokenExchange.tokenTimes(json("<html>")));
  }

  @Test
  void nestedIamErrorsWinAndANumericCodeIsNoCode() throws IOException {
    assertArrayEquals(new String[] {null, "The username or password is wrong.", null},
        IamTokenExchange.errorFields(json("{\"error\":{\"code\":401,\"message\":\"The username or password is wrong.\","
            + "\"title\":\"Unauthorized\"}}")));
    assertArrayEquals(new String[] {"IAM.0101", "Unauthorized", "rid"},
        IamTokenExchange.errorFields(json("{\"request_id\":\"rid\",\"error\":{\"code\":\"IAM.0101\",\"message\":\" \","
            + "\"title\":\"Unauthorized\"},\"error_code\":\"APIGW.0301\",\"error_msg\":\"flat\"}")));
  }

  @Test
  void flatErrorsAreTheFallback() throws IOException {
    assertArrayEquals(new String[] {"APIGW.0301", "Incorrect IAM authentication information", "r1"},
        IamTokenExchange.errorFields(json("{\"error_code\":\"APIGW.0301\",\"error_msg\":\"Incorrect IAM authentication"
            + " information\",\"request_id\":\"r1\",\"extra\":{\"nested\":[1,{\"error_code\":\"no\"}]}}")));
    assertArrayEquals(new String[3], IamTokenExchange.errorFields(json("\"just a string\"")));
  }
}
