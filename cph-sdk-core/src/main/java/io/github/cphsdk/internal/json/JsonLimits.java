package io.github.cphsdk.internal.json;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.Version;
import com.fasterxml.jackson.core.util.JsonParserDelegate;
import java.io.IOException;

/**
 * The bounds every answer is parsed under, on any jackson-core from 2.12 on. From 2.15 Jackson enforces them
 * itself ({@code StreamReadConstraints}, touched only in {@link Native}, which is loaded only after the
 * version check); on 2.12 to 2.14, which have no such class, {@link Bounded} wraps each parser and enforces
 * the same limits: nesting depth, string length (names and values) and number length.
 */
final class JsonLimits {
  /** Deepest nesting of objects and arrays: our answers nest 3 deep. */
  static final int MAX_DEPTH = 64;
  /** Longest string value or field name, in characters. */
  static final int MAX_STRING = 1_048_576;
  /** Longest number, in characters (Jackson's own default from 2.15). */
  static final int MAX_NUMBER = 1000;

  /** The jackson-core on the class path. */
  static final Version VERSION = com.fasterxml.jackson.core.json.PackageVersion.VERSION;

  /** Whether this jackson-core (2.15 or newer) enforces {@link StreamReadConstraints} itself. */
  static final boolean NATIVE = VERSION.getMajorVersion() > 2
      || (VERSION.getMajorVersion() == 2 && VERSION.getMinorVersion() >= 15);

  private JsonLimits() {}

  /** The shared factory, with the limits built in where Jackson has them. */
  static JsonFactory factory() {
    return NATIVE ? Native.factory() : new JsonFactory();
  }

  /** {@code parser} as created by {@link #factory()}, bounded by us where Jackson does not bound it. */
  static JsonParser bound(JsonParser parser) {
    return NATIVE ? parser : new Bounded(parser);
  }

  /** Loaded only on jackson-core 2.15+, where {@link StreamReadConstraints} exists. */
  private static final class Native {
    static JsonFactory factory() {
      return JsonFactory.builder()
          .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_DEPTH)
              .maxStringLength(MAX_STRING).maxNumberLength(MAX_NUMBER).build())
          .build();
    }
  }

  /** The limits on jackson-core 2.12 to 2.14: checked on every token, subtrees skipped through the checks. */
  static final class Bounded extends JsonParserDelegate {
    private int depth;

    Bounded(JsonParser parser) {
      super(parser);
    }

    @Override
    public JsonToken nextToken() throws IOException {
      JsonToken t = delegate.nextToken();
      if (t == null) {
        return null;
      }
      switch (t) {
        case START_OBJECT:
        case START_ARRAY:
          if (++depth > MAX_DEPTH) {
            throw new JsonParseException(this, "Document nesting depth (" + depth + ") exceeds the maximum allowed ("
                + MAX_DEPTH + ")");
          }
          break;
        case END_OBJECT:
        case END_ARRAY:
          depth--;
          break;
        case FIELD_NAME:
        case VALUE_STRING:
          if (delegate.getTextLength() > MAX_STRING) {
            throw new JsonParseException(this, "String value length (" + delegate.getTextLength()
                + ") exceeds the maximum allowed (" + MAX_STRING + ")");
          }
          break;
        case VALUE_NUMBER_INT:
        case VALUE_NUMBER_FLOAT:
          if (delegate.getTextLength() > MAX_NUMBER) {
            throw new JsonParseException(this, "Number value length (" + delegate.getTextLength()
                + ") exceeds the maximum allowed (" + MAX_NUMBER + ")");
          }
          break;
        default:
          break;
      }
      return t;
    }

    @Override
    public JsonToken nextValue() throws IOException {
      JsonToken t = nextToken();
      return t == JsonToken.FIELD_NAME ? nextToken() : t;
    }

    @Override
    public JsonParser skipChildren() throws IOException {
      JsonToken current = delegate.currentToken();
      if (current != JsonToken.START_OBJECT && current != JsonToken.START_ARRAY) {
        return this;
      }
      int open = 1;
      while (true) {
        JsonToken t = nextToken(); // through the checks: a deep subtree fails here as it would on 2.15+
        if (t == null) {
          return this;
        }
        if (t.isStructStart()) {
          open++;
        } else if (t.isStructEnd() && --open == 0) {
          return this;
        }
      }
    }
  }
}
