package io.github.cphsdk.internal.json;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The hand-written body writer must produce what Jackson's generator produces, byte for byte. */
class JsonTextTest {
  static final List<String> NASTY = List.of("plain", "", "quote \" and backslash \\", "tab\tnew\nline\rcr",
      "\u0000\u0001\u001f\u007f", "caf\u00e9 \u00fc\u00df", "\u4e2d\u6587", "emoji \ud83d\ude00 end", "/slash/");

  private static byte[] jackson(List<String> values) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (JsonGenerator g = Json.generator(out)) {
      g.writeStartObject();
      g.writeStringField("a", values.get(0));
      g.writeNumberField("n", 1);
      g.writeNumberField("m", -1234567890123L);
      Json.writeStringArray(g, "list", values);
      g.writeArrayFieldStart("empty");
      g.writeEndArray();
      g.writeEndObject();
    }
    return out.toByteArray();
  }

  private static byte[] ours(List<String> values) {
    return new JsonText(4).startObject()
        .field("a", values.get(0))
        .field("n", 1)
        .field("m", -1234567890123L)
        .field("list", values)
        .field("empty", List.of())
        .endObject()
        .toBytes();
  }

  @Test
  void sameBytesAsJacksonForEveryKindOfText() throws IOException {
    for (String s : NASTY) {
      List<String> values = List.of(s, s + s, "x");
      assertEquals(new String(jackson(values), StandardCharsets.UTF_8), new String(ours(values), StandardCharsets.UTF_8),
          "for " + s);
    }
    assertEquals(new String(jackson(NASTY), StandardCharsets.UTF_8), new String(ours(NASTY), StandardCharsets.UTF_8));
  }

  @Test
  void aLoneSurrogateBecomesAnEscapeThatReadsBack() throws IOException {
    String lone = "a\ud800b\udc00c";
    byte[] bytes = new JsonText(8).startObject().field("s", lone).endObject().toBytes();
    assertEquals("{\"s\":\"a\\uD800b\\uDC00c\"}", new String(bytes, StandardCharsets.US_ASCII));
    try (JsonParser p = Json.parser(ByteBuffer.wrap(bytes))) {
      List<JsonToken> tokens = new ArrayList<>();
      JsonToken t;
      while ((t = p.nextToken()) != null) {
        tokens.add(t);
      }
      assertEquals(List.of(JsonToken.START_OBJECT, JsonToken.FIELD_NAME, JsonToken.VALUE_STRING, JsonToken.END_OBJECT),
          tokens);
    }
  }
}
