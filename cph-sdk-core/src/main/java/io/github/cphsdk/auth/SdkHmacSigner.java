package io.github.cphsdk.auth;

import io.github.cphsdk.internal.PercentEncoding;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReferenceArray;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The {@code SDK-HMAC-SHA256} algorithm (docs/API.md section 4), with its intermediate results exposed for
 * tests. Holds the access key id and a keyed {@link Mac} prototype built once; every {@link #sign} works on
 * a clone, so one signer serves any number of threads. The text forms it signs (canonical URI and query,
 * date, hex, SHA-256) are in {@link SigningText}.
 *
 * <pre>
 * CanonicalRequest = METHOD \n CanonicalURI \n CanonicalQuery \n CanonicalHeaders \n SignedHeaders \n hex(sha256(body))
 * StringToSign     = SDK-HMAC-SHA256 \n X-Sdk-Date \n hex(sha256(CanonicalRequest))
 * Signature        = hex(hmacSha256(SK, StringToSign))
 * </pre>
 */
final class SdkHmacSigner {
  static final String ALGORITHM = "SDK-HMAC-SHA256";
  static final String DATE_HEADER = "X-Sdk-Date";

  private static final String HMAC = "HmacSHA256";
  private static final byte[] HEX_BYTES = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

  private final String accessKey;
  private final SecretKeySpec key;
  private final Mac prototype;
  /** {@code SDK-HMAC-SHA256 Access=AK, SignedHeaders=} as UTF-8. */
  private final byte[] authorizationStart;

  SdkHmacSigner(String accessKey, String secretKey) {
    this.accessKey = accessKey;
    this.key = new SecretKeySpec(secretKey.getBytes(StandardCharsets.UTF_8), HMAC);
    this.prototype = newMac(key);
    this.authorizationStart = (ALGORITHM + " Access=" + accessKey + ", SignedHeaders=").getBytes(StandardCharsets.UTF_8);
  }

  /**
   * Signs one request, keeping every intermediate result.
   *
   * @param method the HTTP method
   * @param rawPath the path as sent, percent-encoded ({@code URI.getRawPath()}); empty means {@code /}
   * @param query the decoded query parameters in any order
   * @param headers exactly the headers to sign, any name case; must include {@code X-Sdk-Date} and {@code Host}
   * @param body the exact body bytes
   */
  Signature sign(String method, String rawPath, List<Map.Entry<String, String>> query, Map<String, String> headers,
      byte[] body) {
    int n = headers.size();
    String[] names = new String[n];
    String[] values = new String[n];
    int i = 0;
    for (Map.Entry<String, String> h : headers.entrySet()) {
      names[i] = h.getKey().toLowerCase(Locale.ROOT);
      values[i] = h.getValue();
      i++;
    }
    return sign(method, rawPath, SigningText.canonicalQuery(query), names, values, n, ByteBuffer.wrap(body), true);
  }

  /**
   * Signs one request: what {@link #sign(String, String, List, Map, byte[])} does, without building the
   * intermediate texts unless {@code keep} asks for them. The canonical request and the string to sign are
   * written as UTF-8 bytes straight into a reused buffer and hashed from there.
   *
   * @param canonicalQuery the query in its canonical form ({@link SigningText#canonicalQuery}); empty for none
   * @param names the names of the headers to sign, lower case; sorted here, together with {@code values}
   * @param values their values, as given (trimmed here)
   * @param count how many of {@code names} and {@code values} there are
   * @param body the exact body bytes, from its position to its limit (read, so the position moves to the limit)
   * @param keep whether the result should carry every intermediate text, or only {@code authorization}
   */
  Signature sign(String method, String rawPath, String canonicalQuery, String[] names, String[] values, int count,
      ByteBuffer body, boolean keep) {
    if (!keep) {
      return new Signature(null, null, null, null, null,
          authorization(method, rawPath, canonicalQuery, names, values, count, body));
    }
    Signature[] kept = new Signature[1];
    sign(method, rawPath, canonicalQuery, names, values, count, body, kept);
    return kept[0];
  }

  /**
   * The {@code Authorization} value alone, as {@link #sign(String, String, String, String[], String[], int,
   * ByteBuffer, boolean) sign} computes it: what the credentials add to every attempt, with no result object.
   */
  String authorization(String method, String rawPath, String canonicalQuery, String[] names, String[] values,
      int count, ByteBuffer body) {
    return sign(method, rawPath, canonicalQuery, names, values, count, body, (Signature[]) null);
  }

  /** Signs; returns the authorization, and puts every intermediate text into {@code kept[0]} when it is given. */
  private String sign(String method, String rawPath, String canonicalQuery, String[] names, String[] values,
      int count, ByteBuffer body, Signature[] kept) {
    for (int i = 0; i < count; i++) {
      values[i] = values[i].trim();
    }
    sortByName(names, values, count);
    String date = valueOf("x-sdk-date", names, values, count);
    if (date == null) {
      throw new IllegalArgumentException("the signed headers must include X-Sdk-Date");
    }
    if (valueOf("host", names, values, count) == null) {
      throw new IllegalArgumentException("the signed headers must include Host");
    }

    int slot = slot();
    Scratch s = take(slot);
    Sink b = s.sink;
    b.len = 0;

    // CanonicalRequest = METHOD \n CanonicalURI \n CanonicalQuery \n CanonicalHeaders \n SignedHeaders \n hex(sha256(body))
    b.utf8(method.toUpperCase(Locale.ROOT));
    b.put('\n');
    b.bytes(canonicalUriBytes(rawPath));
    b.put('\n');
    b.utf8(canonicalQuery);
    b.put('\n');
    for (int i = 0; i < count; i++) {
      b.utf8(names[i]);
      b.put(':');
      b.utf8(values[i]);
      b.put('\n');
    }
    b.put('\n');
    int signedFrom = b.len;
    for (int i = 0; i < count; i++) {
      if (i > 0) {
        b.put(';');
      }
      b.utf8(names[i]);
    }
    int signedTo = b.len;
    b.put('\n');
    MessageDigest sha256 = s.sha256;
    sha256.update(body);
    digest(sha256, s.hash);
    b.hex(s.hash);
    int canonicalTo = b.len;
    sha256.update(b.buf, 0, canonicalTo);
    digest(sha256, s.hash);

    // StringToSign = SDK-HMAC-SHA256 \n X-Sdk-Date \n hex(sha256(CanonicalRequest)), after it in the buffer
    b.bytes(ALGORITHM_LINE);
    b.utf8(date);
    b.put('\n');
    b.hex(s.hash);
    int stringToSignTo = b.len;
    s.mac.update(b.buf, canonicalTo, stringToSignTo - canonicalTo);
    byte[] mac = s.mac.doFinal();

    // Authorization = SDK-HMAC-SHA256 Access=AK, SignedHeaders=a;b, Signature=hex, after that, made a String once
    b.bytes(authorizationStart);
    b.copy(signedFrom, signedTo);
    b.bytes(SIGNATURE_PART);
    b.hex(mac);
    String authorization = b.string(stringToSignTo, b.len);
    if (kept != null) {
      kept[0] = new Signature(b.string(0, canonicalTo), SigningText.hex(s.hash), b.string(canonicalTo, stringToSignTo),
          b.string(signedFrom, signedTo), SigningText.hex(mac), authorization);
    }
    give(slot, s);
    return authorization;
  }

  private static final byte[] ALGORITHM_LINE = (ALGORITHM + "\n").getBytes(StandardCharsets.UTF_8);
  private static final byte[] SIGNATURE_PART = ", Signature=".getBytes(StandardCharsets.UTF_8);

  /** The canonical URI of the path signed last: a client signs the same path string call after call. */
  private volatile CanonicalUri lastUri;

  private byte[] canonicalUriBytes(String rawPath) {
    CanonicalUri last = lastUri;
    if (last != null && last.rawPath == rawPath) {
      return last.bytes;
    }
    Sink b = new Sink(rawPath == null ? 1 : rawPath.length() + 8);
    b.canonicalUri(rawPath);
    byte[] bytes = java.util.Arrays.copyOf(b.buf, b.len);
    lastUri = new CanonicalUri(rawPath, bytes);
    return bytes;
  }

  /** A raw path and its canonical URI as ASCII bytes (never written to). */
  private static final class CanonicalUri {
    final String rawPath;
    final byte[] bytes;

    CanonicalUri(String rawPath, byte[] bytes) {
      this.rawPath = rawPath;
      this.bytes = bytes;
    }
  }

  /** Sorts the headers by name (insertion sort: there are a handful) and refuses a name given twice. */
  private static void sortByName(String[] names, String[] values, int count) {
    for (int i = 1; i < count; i++) {
      String name = names[i];
      String value = values[i];
      int j = i - 1;
      int c = 1;
      while (j >= 0 && (c = names[j].compareTo(name)) > 0) {
        names[j + 1] = names[j];
        values[j + 1] = values[j];
        j--;
      }
      if (j >= 0 && c == 0) {
        throw new IllegalArgumentException("header " + name + " is given twice; AK/SK signing needs one value per header");
      }
      names[j + 1] = name;
      values[j + 1] = value;
    }
  }

  private static String valueOf(String name, String[] names, String[] values, int count) {
    for (int i = 0; i < count; i++) {
      if (names[i].equals(name)) {
        return values[i];
      }
    }
    return null;
  }

  private static void digest(MessageDigest md, byte[] into) {
    try {
      md.digest(into, 0, into.length);
    } catch (java.security.DigestException e) {
      throw new IllegalStateException("SHA-256 gave no 32-byte digest", e);
    }
  }

  /**
   * The intermediate and final results of one signing. {@code toString()} leaves the signature out. Only
   * {@code authorization} is set when the signing was asked not to keep the intermediate texts.
   */
  static final class Signature {
    final String canonicalRequest;
    final String canonicalRequestHash;
    final String stringToSign;
    final String signedHeaders;
    final String signature;
    final String authorization;

    Signature(String canonicalRequest, String canonicalRequestHash, String stringToSign, String signedHeaders,
        String signature, String authorization) {
      this.canonicalRequest = canonicalRequest;
      this.canonicalRequestHash = canonicalRequestHash;
      this.stringToSign = stringToSign;
      this.signedHeaders = signedHeaders;
      this.signature = signature;
      this.authorization = authorization;
    }

    @Override
    public String toString() {
      return "Signature{signedHeaders=" + signedHeaders + ", signature=" + Secrets.MASK + '}';
    }
  }

  // ---- scratch state reused between signings ------------------------------------------------------------

  /**
   * Per signer, a few slots of scratch state, picked by thread id: a thread takes its slot's state (or
   * builds new state when another thread holds it) and puts it back when done, so a signing allocates no
   * Mac, no digest and no buffers, and no two threads ever share one.
   */
  private final AtomicReferenceArray<Scratch> scratch = new AtomicReferenceArray<>(SLOTS);

  private static final int SLOTS = slots(Runtime.getRuntime().availableProcessors());

  /** A power of two, at least twice the cores, from 2 to 64. */
  private static int slots(int cores) {
    int n = 2;
    while (n < 2 * cores && n < 64) {
      n <<= 1;
    }
    return n;
  }

  @SuppressWarnings("deprecation") // Thread.getId: threadId() is Java 19+
  private static int slot() {
    return (int) Thread.currentThread().getId() & (SLOTS - 1);
  }

  private Scratch take(int slot) {
    Scratch s = scratch.getAndSet(slot, null);
    return s != null ? s : new Scratch(mac(), SigningText.sha256());
  }

  /** Puts the state back after a signing that completed (a failed one may leave it half used: dropped). */
  private void give(int slot, Scratch s) {
    if (s.sink.buf.length <= Scratch.MAX_KEPT) {
      scratch.set(slot, s);
    }
  }

  /** What one signing works with. */
  private static final class Scratch {
    /** Buffers that grew past this (very long paths or queries) are not kept. */
    static final int MAX_KEPT = 16 * 1024;

    final Mac mac;
    final MessageDigest sha256;
    final Sink sink = new Sink(1024);
    final byte[] hash = new byte[32];

    Scratch(Mac mac, MessageDigest sha256) {
      this.mac = mac;
      this.sha256 = sha256;
    }
  }

  /** A growable byte buffer that the canonical forms are written into, as UTF-8. */
  static final class Sink {
    byte[] buf;
    int len;

    Sink(int capacity) {
      buf = new byte[capacity];
    }

    private void room(int more) {
      if (len + more > buf.length) {
        buf = java.util.Arrays.copyOf(buf, Math.max(buf.length * 2, len + more));
      }
    }

    /** An ASCII character. */
    void put(char c) {
      room(1);
      buf[len++] = (byte) c;
    }

    void bytes(byte[] bytes) {
      room(bytes.length);
      System.arraycopy(bytes, 0, buf, len, bytes.length);
      len += bytes.length;
    }

    /** Appends a copy of what was written from {@code from} to {@code to}. */
    void copy(int from, int to) {
      room(to - from);
      System.arraycopy(buf, from, buf, len, to - from);
      len += to - from;
    }

    /** The UTF-8 bytes of {@code s} (as {@code String.getBytes(UTF_8)} gives them). */
    void utf8(String s) {
      int n = s.length();
      room(n);
      byte[] a = buf;
      int at = len;
      for (int i = 0; i < n; i++) {
        char c = s.charAt(i);
        if (c >= 0x80) { // not ASCII: the JDK's encoder (what was written of s so far is past len, overwritten)
          bytes(s.getBytes(StandardCharsets.UTF_8));
          return;
        }
        a[at + i] = (byte) c;
      }
      len = at + n;
    }

    /** Lower-case hex of {@code bytes}. */
    void hex(byte[] bytes) {
      int n = bytes.length;
      room(n * 2);
      byte[] a = buf;
      int at = len;
      for (int i = 0; i < n; i++) {
        int v = bytes[i] & 0xff;
        a[at + 2 * i] = HEX_BYTES[v >>> 4];
        a[at + 2 * i + 1] = HEX_BYTES[v & 0xf];
      }
      len = at + 2 * n;
    }

    /** See {@link SigningText#canonicalUri(String)}. */
    void canonicalUri(String rawPath) {
      if (rawPath == null || rawPath.isEmpty()) {
        put('/');
        return;
      }
      int begin = len;
      int start = 0;
      while (true) {
        int slash = rawPath.indexOf('/', start);
        segment(rawPath, start, slash < 0 ? rawPath.length() : slash);
        if (slash < 0) {
          break;
        }
        put('/');
        start = slash + 1;
      }
      if (len == begin || buf[len - 1] != '/') {
        put('/');
      }
    }

    /** One path segment, decoded and then encoded; one of unreserved characters only stays as it is. */
    private void segment(String path, int from, int to) {
      room(to - from);
      byte[] a = buf;
      int at = len;
      for (int i = from; i < to; i++) {
        char c = path.charAt(i);
        if (!PercentEncoding.isUnreserved(c)) {
          utf8(PercentEncoding.encode(PercentEncoding.decode(path.substring(from, to)))); // encode gives ASCII
          return;
        }
        a[at++] = (byte) c;
      }
      len = at;
    }

    String string() {
      return string(0, len);
    }

    String string(int from, int to) {
      return new String(buf, from, to - from, StandardCharsets.UTF_8);
    }
  }

  private Mac mac() {
    try {
      return (Mac) prototype.clone();
    } catch (CloneNotSupportedException e) {
      return newMac(key); // providers that cannot clone (some Android ones): build a fresh one
    }
  }

  private static Mac newMac(SecretKeySpec key) {
    try {
      Mac mac = Mac.getInstance(HMAC);
      mac.init(key);
      return mac;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("this Java runtime has no usable " + HMAC, e);
    }
  }

  @Override
  public String toString() {
    return "SdkHmacSigner{access=" + Secrets.maskKeyId(accessKey) + '}';
  }
}
