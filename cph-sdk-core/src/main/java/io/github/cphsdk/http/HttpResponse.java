package io.github.cphsdk.http;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * An answer as a transport hands it back: status, headers and the body bytes it kept (at most the
 * request's {@link HttpRequest#maxResponseBytes()}). Immutable.
 *
 * <pre>{@code
 * HttpResponse response = HttpResponse.of(200, Map.of("X-Request-Id", List.of("abc")), bodyBytes, false);
 * response.header("x-request-id");   // Optional[abc]
 * }</pre>
 */
public final class HttpResponse {
  private final int statusCode;
  private final Map<String, List<String>> headers;
  private final byte[] body;
  private final boolean bodyTruncated;

  private HttpResponse(int statusCode, Map<String, List<String>> headers, byte[] body, boolean bodyTruncated) {
    this.statusCode = statusCode;
    this.headers = headers;
    this.body = body;
    this.bodyTruncated = bodyTruncated;
  }

  /**
   * An answer. Header names are matched case-insensitively; {@code bodyTruncated} says the transport
   * stopped reading at the limit and {@code body} is only the start of the answer. The body array is
   * not copied: hand over an array nobody else writes to.
   *
   * @param statusCode 100 to 999
   * @param headers the header values by name; entries with a {@code null} name are dropped
   * @param body the body bytes kept; empty for none
   * @param bodyTruncated whether the answer went on past {@code body}
   * @return a new answer
   */
  public static HttpResponse of(int statusCode, Map<String, List<String>> headers, byte[] body, boolean bodyTruncated) {
    if (statusCode < 100 || statusCode > 999) {
      throw new IllegalArgumentException("status code must be 100 to 999, got " + statusCode);
    }
    Objects.requireNonNull(headers, "headers");
    Objects.requireNonNull(body, "body");
    return new HttpResponse(statusCode, Collections.unmodifiableMap(HeaderMap.copyOf(headers)), body, bodyTruncated);
  }

  /** {@return the HTTP status code} */
  public int statusCode() {
    return statusCode;
  }

  /** {@return all headers, unmodifiable; keys are case-insensitive} */
  public Map<String, List<String>> headers() {
    return headers;
  }

  /**
   * The first value of header {@code name}, case-insensitive.
   *
   * @param name the header name
   * @return the first value; empty when the answer has no such header
   */
  public Optional<String> header(String name) {
    List<String> values = headers.get(name);
    return values == null || values.isEmpty() ? Optional.empty() : Optional.of(values.get(0));
  }

  /** {@return a copy of the body bytes the transport kept} */
  public byte[] body() {
    return body.clone();
  }

  /**
   * The body as a read-only view, without a copy: for parsers that only read it. Each call gives a new view
   * (its own position and limit) over the same bytes.
   *
   * <pre>{@code
   * ByteBuffer body = response.bodyBuffer();
   * String text = StandardCharsets.UTF_8.decode(body).toString();
   * }</pre>
   *
   * @return a read-only buffer from position 0 to {@link #bodyLength()}
   */
  public ByteBuffer bodyBuffer() {
    return ByteBuffer.wrap(body).asReadOnlyBuffer();
  }

  /**
   * The body as a stream, without a copy: for parsers that read streams (a JSON library, say).
   *
   * <pre>{@code
   * try (InputStream in = response.bodyInputStream()) {
   *   JsonParser parser = jsonFactory.createParser(in);
   *   ...
   * }
   * }</pre>
   *
   * @return a new stream over the body bytes the transport kept; closing it is optional
   */
  public InputStream bodyInputStream() {
    return new ByteArrayInputStream(body);
  }

  /** {@return the body length in bytes (of what was kept)} */
  public int bodyLength() {
    return body.length;
  }

  /** {@return the body decoded as UTF-8} */
  public String bodyAsString() {
    return new String(body, StandardCharsets.UTF_8);
  }

  /** {@return true when the answer was longer than the request allowed and only its start was kept} */
  public boolean bodyTruncated() {
    return bodyTruncated;
  }

  /** Status and body length; header values and the body are left out. */
  @Override
  public String toString() {
    return "HttpResponse{status=" + statusCode + ", bodyLength=" + body.length
        + (bodyTruncated ? ", truncated" : "") + '}';
  }

  /**
   * The headers of an answer: what a {@code TreeMap} with {@link String#CASE_INSENSITIVE_ORDER} holds after
   * merging the given map into it (names sorted case-insensitively, the first spelling of a name kept, the
   * values of names equal but for case joined in the given order), kept in two sorted arrays and found by
   * binary search: a copy costs two arrays instead of a tree entry per header. Lookups behave as the tree's do (a name that is not a {@code String} fails with
   * {@code ClassCastException}, {@code null} with {@code NullPointerException}).
   */
  private static final class HeaderMap extends AbstractMap<String, List<String>> {
    /** Up to this many headers are sorted by insertion; more go through a tree (n log n whatever the order). */
    private static final int FEW = 32;

    private final String[] names;
    private final List<String>[] values;
    private final int size;

    private HeaderMap(String[] names, List<String>[] values, int size) {
      this.names = names;
      this.values = values;
      this.size = size;
    }

    @SuppressWarnings("unchecked")
    static HeaderMap copyOf(Map<String, List<String>> headers) {
      int capacity = headers.size();
      if (capacity > FEW) {
        return viaTree(headers);
      }
      String[] names = new String[capacity];
      List<String>[] values = new List[capacity];
      int size = 0;
      for (Map.Entry<String, List<String>> e : headers.entrySet()) {
        String name = e.getKey();
        if (name == null) { // HttpURLConnection reports the status line under a null key
          continue;
        }
        List<String> value = List.copyOf(e.getValue());
        int j = size - 1;
        int c = 1;
        while (j >= 0 && (c = String.CASE_INSENSITIVE_ORDER.compare(name, names[j])) < 0) {
          j--; // answers usually come sorted already: one comparison
        }
        if (j >= 0 && c == 0) { // the same name but for case: its values follow the earlier ones, its spelling stays
          values[j] = joined(values[j], value);
          continue;
        }
        System.arraycopy(names, j + 1, names, j + 2, size - j - 1);
        System.arraycopy(values, j + 1, values, j + 2, size - j - 1);
        names[j + 1] = name;
        values[j + 1] = value;
        size++;
      }
      return new HeaderMap(names, values, size);
    }

    private static List<String> joined(List<String> a, List<String> b) {
      List<String> all = new ArrayList<>(a.size() + b.size());
      all.addAll(a);
      all.addAll(b);
      return List.copyOf(all);
    }

    /** The same map built through a {@code TreeMap}, for answers with many headers. */
    @SuppressWarnings("unchecked")
    private static HeaderMap viaTree(Map<String, List<String>> headers) {
      TreeMap<String, List<String>> tree = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
      for (Map.Entry<String, List<String>> e : headers.entrySet()) {
        if (e.getKey() != null) {
          tree.merge(e.getKey(), List.copyOf(e.getValue()), HeaderMap::joined);
        }
      }
      String[] names = new String[tree.size()];
      List<String>[] values = new List[tree.size()];
      int i = 0;
      for (Map.Entry<String, List<String>> e : tree.entrySet()) {
        names[i] = e.getKey();
        values[i++] = e.getValue();
      }
      return new HeaderMap(names, values, i);
    }

    private int indexOf(Object key) {
      if (size == 0) {
        return -1; // as an empty tree: no comparison, so no exception for any key
      }
      String name = (String) key;
      int lo = 0;
      int hi = size - 1;
      while (lo <= hi) {
        int mid = (lo + hi) >>> 1;
        int c = String.CASE_INSENSITIVE_ORDER.compare(name, names[mid]);
        if (c == 0) {
          return mid;
        }
        if (c < 0) {
          hi = mid - 1;
        } else {
          lo = mid + 1;
        }
      }
      return -1;
    }

    @Override
    public List<String> get(Object key) {
      int i = indexOf(key);
      return i < 0 ? null : values[i];
    }

    @Override
    public boolean containsKey(Object key) {
      return indexOf(key) >= 0;
    }

    @Override
    public int size() {
      return size;
    }

    @Override
    public Set<Map.Entry<String, List<String>>> entrySet() {
      return new AbstractSet<Map.Entry<String, List<String>>>() {
        @Override
        public Iterator<Map.Entry<String, List<String>>> iterator() {
          return new Iterator<Map.Entry<String, List<String>>>() {
            private int next;

            @Override
            public boolean hasNext() {
              return next < size;
            }

            @Override
            public Map.Entry<String, List<String>> next() {
              if (next >= size) {
                throw new NoSuchElementException();
              }
              int i = next++;
              return new AbstractMap.SimpleImmutableEntry<>(names[i], values[i]);
            }
          };
        }

        @Override
        public int size() {
          return size;
        }

        /** As the tree's entry set: the name found case-insensitively, then the value compared. */
        @Override
        public boolean contains(Object o) {
          if (!(o instanceof Map.Entry)) {
            return false;
          }
          Map.Entry<?, ?> e = (Map.Entry<?, ?>) o;
          int i = indexOf(e.getKey());
          return i >= 0 && Objects.equals(values[i], e.getValue());
        }
      };
    }
  }
}
