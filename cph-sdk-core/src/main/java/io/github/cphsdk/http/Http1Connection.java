package io.github.cphsdk.http;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * One HTTP/1.1 connection of {@link SocketHttpTransport}: a connected (and, for https, handshaken) socket,
 * a reused buffer for writing requests and one for reading answers. Used by one exchange at a time.
 *
 * <p>Writing: the request head and body go out in one write when they fit in 64 KiB. Reading follows RFC 9112:
 * interim (1xx) answers are skipped, the body is framed by {@code Transfer-Encoding: chunked}, by
 * {@code Content-Length} or by the end of the connection, and every part of an answer is bounded (line length,
 * head size, header count, body bytes kept). Anything malformed fails with {@link Malformed}.
 */
final class Http1Connection {
  /** Longest request head plus body written in one go; larger bodies go in a second write. */
  private static final int ONE_WRITE_MAX = 64 * 1024;
  /** Longest line of an answer's head (status line, header, chunk size). */
  static final int MAX_LINE = 16 * 1024;
  /** Most bytes of one answer head (status line and headers, or trailers). */
  static final int MAX_HEAD = 64 * 1024;
  /** Most header fields of one answer head. */
  static final int MAX_HEADERS = 256;
  /** Bodies up to this length are read into an array of their {@code Content-Length}; longer ones grow. */
  private static final int EXACT_BODY_MAX = 64 * 1024;
  /** Most interim (1xx) answers before the final one. */
  private static final int MAX_INTERIM = 16;

  /** The scheme, host (lower case) and port this connection goes to: the pool's key. */
  final String scheme;
  final String host;
  final int port;
  /** Requests go through an HTTP proxy in absolute form (plain http only). */
  final boolean absoluteForm;
  /** The socket exchanges use (TLS for https). */
  final Socket socket;
  /** The TCP socket under it (the same for plain http): closing it aborts any read, write or handshake. */
  final Socket raw;
  private final InputStream in;
  private final OutputStream out;

  private byte[] writeBuf = new byte[1024];
  private int writeLen;
  private final byte[] readBuf = new byte[8192];
  private int pos;
  private int lim;
  /** Head bytes read so far for the current head; bounds the head. */
  private int headBytes;

  /** When it went back to the pool ({@link System#nanoTime()}). */
  long idleSince;

  Http1Connection(String scheme, String host, int port, boolean absoluteForm, Socket socket, Socket raw)
      throws IOException {
    this.scheme = scheme;
    this.host = host;
    this.port = port;
    this.absoluteForm = absoluteForm;
    this.socket = socket;
    this.raw = raw;
    this.in = socket.getInputStream();
    this.out = socket.getOutputStream();
  }

  boolean goesTo(String scheme, String host, int port) {
    return this.port == port && this.host.equals(host) && this.scheme.equals(scheme);
  }

  /** Whether bytes past the last answer are waiting (a server must not send any): then it is not reused. */
  boolean hasUnreadBytes() {
    return pos < lim;
  }

  /**
   * Whether the socket has bytes waiting before a request went out: a TLS close, a {@code 408} sent on an
   * idle close, or stray bytes. A cheap query of the kernel, made on every reuse (a bare close shows only in
   * {@link #isHealthy()}).
   */
  boolean hasWaitingBytes() {
    try {
      return raw.getInputStream().available() > 0;
    } catch (IOException | RuntimeException closed) {
      return true;
    }
  }

  /** Closes the TCP socket at once (no TLS close message): aborts whatever the exchange is blocked in. */
  void abort() {
    try {
      raw.close();
    } catch (IOException | RuntimeException ignored) {
      // nothing to do: the socket is unusable either way
    }
  }

  /** Closes the socket; safe from any thread, any number of times. */
  void close() {
    try {
      socket.close();
    } catch (IOException | RuntimeException ignored) {
      // nothing to do: the socket is unusable either way
    }
  }

  /**
   * Whether a pooled connection still looks usable: nothing unread, and the server has not closed it. Reads
   * with a 1 ms timeout, so call it only for connections that sat idle a while.
   */
  boolean isHealthy() {
    if (socket.isClosed() || socket.isInputShutdown() || pos < lim) {
      return false;
    }
    try {
      socket.setSoTimeout(1);
      try {
        in.read(readBuf, 0, readBuf.length);
        return false; // end of stream, or bytes nobody asked for: either way not reusable
      } finally {
        socket.setSoTimeout(0);
      }
    } catch (SocketTimeoutException quiet) {
      return true; // nothing to read: open and idle
    } catch (IOException | RuntimeException broken) {
      return false;
    }
  }

  // ------------------------------------------------------------------ writing

  /** Writes the request line, the headers, {@code Host} and {@code Content-Length}, then the body. */
  void writeRequest(HttpRequest request, String hostHeader) throws IOException {
    byte[] body = request.bodyBytes();
    writeLen = 0;
    ascii(request.method());
    put(' ');
    URI uri = request.uri();
    if (absoluteForm) {
      ascii(scheme);
      ascii("://");
      ascii(hostHeader);
    }
    int targetStart = writeLen;
    if (!target(uri)) {
      // A URI keeps characters beyond ASCII as they are in its raw path and query: send their UTF-8
      // percent-escapes instead, as URI.toASCIIString() has them (a byte per char would garble them).
      writeLen = targetStart;
      target(URI.create(uri.toASCIIString()));
    }
    ascii(" HTTP/1.1\r\nHost: ");
    ascii(hostHeader);
    crlf();
    List<Map.Entry<String, String>> headers = request.headers();
    for (int i = 0, n = headers.size(); i < n; i++) {
      Map.Entry<String, String> h = headers.get(i);
      if (!SocketHttpTransport.setByTransport(h.getKey())) {
        ascii(h.getKey());
        put(':');
        put(' ');
        ascii(h.getValue());
        crlf();
      }
    }
    if (body.length > 0 || bodyExpected(request.method())) {
      ascii("Content-Length: ");
      ascii(Integer.toString(body.length));
      crlf();
    }
    crlf();
    if (writeLen + body.length <= ONE_WRITE_MAX) {
      bytes(body);
      out.write(writeBuf, 0, writeLen);
    } else {
      out.write(writeBuf, 0, writeLen);
      out.write(body);
    }
    out.flush();
    if (writeBuf.length > ONE_WRITE_MAX) {
      writeBuf = new byte[1024]; // a large body passed through: do not keep its buffer
    }
  }

  /** Writes the URI's raw path (at least {@code /}) and query; whether all their characters were ASCII. */
  private boolean target(URI uri) {
    String path = uri.getRawPath();
    int all = ascii(path == null || path.isEmpty() ? "/" : path);
    String query = uri.getRawQuery();
    if (query != null) {
      put('?');
      all |= ascii(query);
    }
    return all < 0x80;
  }

  /** Methods whose requests carry a body, so an empty one is announced as {@code Content-Length: 0}. */
  private static boolean bodyExpected(String method) {
    return "POST".equals(method) || "PUT".equals(method) || "PATCH".equals(method);
  }

  /**
   * Writes {@code s} a byte per char (header names and values are checked to be ASCII when built).
   *
   * @return all its chars OR-ed together: 0x80 or more when one of them was not ASCII
   */
  private int ascii(String s) {
    int n = s.length();
    ensure(n);
    byte[] b = writeBuf;
    int at = writeLen;
    int all = 0;
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      all |= c;
      b[at + i] = (byte) c;
    }
    writeLen = at + n;
    return all;
  }

  private void put(int c) {
    ensure(1);
    writeBuf[writeLen++] = (byte) c;
  }

  private void crlf() {
    ensure(2);
    writeBuf[writeLen++] = '\r';
    writeBuf[writeLen++] = '\n';
  }

  private void bytes(byte[] b) {
    ensure(b.length);
    System.arraycopy(b, 0, writeBuf, writeLen, b.length);
    writeLen += b.length;
  }

  private void ensure(int more) {
    if (writeLen + more > writeBuf.length) {
      writeBuf = Arrays.copyOf(writeBuf, Math.max(writeBuf.length * 2, writeLen + more));
    }
  }

  /**
   * Asks an HTTP proxy for a tunnel to {@code authority} and reads its answer's head.
   *
   * @return the proxy's status code (2xx: the tunnel is open)
   */
  int connectTunnel(String authority) throws IOException {
    writeLen = 0;
    ascii("CONNECT ");
    ascii(authority);
    ascii(" HTTP/1.1\r\nHost: ");
    ascii(authority);
    crlf();
    crlf();
    out.write(writeBuf, 0, writeLen);
    out.flush();
    headBytes = 0;
    answerStarted = false;
    int status = statusCode(readLine("status line"));
    readHeaders("header");
    if (status >= 200 && status < 300 && pos < lim) {
      throw new Malformed("the proxy sent bytes after opening the tunnel");
    }
    return status;
  }

  // ------------------------------------------------------------------ reading

  /** An answer as read, and whether the connection can carry another exchange. */
  static final class Answer {
    final int status;
    final Map<String, List<String>> headers;
    final byte[] body;
    final boolean truncated;
    final boolean reusable;

    Answer(int status, Map<String, List<String>> headers, byte[] body, boolean truncated, boolean reusable) {
      this.status = status;
      this.headers = headers;
      this.body = body;
      this.truncated = truncated;
      this.reusable = reusable;
    }
  }

  /** Whether any byte of an answer has arrived for the current exchange. */
  boolean answerStarted;

  /**
   * Reads one final answer (skipping interim ones), keeping at most {@code maxBody} body bytes.
   *
   * @param headRequest whether the request was a HEAD (whose answer has no body)
   */
  Answer readAnswer(long maxBody, boolean headRequest) throws IOException {
    answerStarted = false;
    for (int interim = 0; ; interim++) {
      headBytes = 0;
      String statusLine = readLine("status line");
      int status = statusCode(statusLine);
      boolean http10 = statusLine.charAt(7) == '0';
      Map<String, List<String>> headers = readHeaders("header");
      if (status < 200) {
        if (status == 101) {
          throw new Malformed("the server switched protocols (101), which was not asked for");
        }
        if (interim >= MAX_INTERIM) {
          throw new Malformed("more than " + MAX_INTERIM + " interim (1xx) answers");
        }
        continue;
      }
      boolean keepAlive = http10 ? hasToken(headers, "Connection", "keep-alive") : !hasToken(headers, "Connection", "close");
      int limit = (int) Math.min(maxBody, Integer.MAX_VALUE - 16);
      if (headRequest || status == 204 || status == 304) {
        return new Answer(status, headers, new byte[0], false, keepAlive);
      }
      List<String> te = headers.get("Transfer-Encoding");
      List<String> cl = headers.get("Content-Length");
      if (te != null) {
        if (!lastCodingIsChunked(te)) {
          return untilClose(status, headers, limit); // RFC 9112 6.3: read until the connection closes
        }
        Body b = chunked(limit);
        // a message with both Transfer-Encoding and Content-Length must not be followed on the connection
        return new Answer(status, headers, b.bytes, b.truncated, keepAlive && !b.truncated && cl == null);
      }
      if (cl != null) {
        long length = contentLength(cl);
        return fixedLength(status, headers, length, limit, keepAlive);
      }
      return untilClose(status, headers, limit);
    }
  }

  private Answer fixedLength(int status, Map<String, List<String>> headers, long length, int limit, boolean keepAlive)
      throws IOException {
    int keep = (int) Math.min(length, limit);
    byte[] body;
    if (keep <= EXACT_BODY_MAX) {
      body = new byte[keep];
      int got = readFully(body, 0, keep);
      if (got < keep) {
        throw shortBody(got, length);
      }
    } else {
      // the length is only the server's word: the array grows as the bytes arrive
      Growing g = new Growing(EXACT_BODY_MAX, keep);
      while (g.size < keep) {
        byte[] buf = g.room(Math.min(keep - g.size, readBuf.length));
        int n = read(buf, g.size, Math.min(keep, buf.length) - g.size);
        if (n < 0) {
          throw shortBody(g.size, length);
        }
        g.size += n;
      }
      body = g.bytes();
    }
    boolean truncated = length > keep;
    return new Answer(status, headers, body, truncated, keepAlive && !truncated);
  }

  private static Malformed shortBody(int got, long length) {
    return new Malformed("the answer ended after " + got + " of its " + length + " body bytes (Content-Length)");
  }

  private Answer untilClose(int status, Map<String, List<String>> headers, int limit) throws IOException {
    Growing body = new Growing(8192, limit);
    while (body.size < limit) {
      int want = Math.min(8192, limit - body.size);
      int n = read(body.room(want), body.size, want);
      if (n < 0) {
        return new Answer(status, headers, body.bytes(), false, false);
      }
      body.size += n;
    }
    // at the limit: one more byte tells whether the answer went on
    boolean more = fill() > 0;
    return new Answer(status, headers, body.bytes(), more, false);
  }

  private static final class Body {
    final byte[] bytes;
    final boolean truncated;

    Body(byte[] bytes, boolean truncated) {
      this.bytes = bytes;
      this.truncated = truncated;
    }
  }

  private Body chunked(int limit) throws IOException {
    Growing body = new Growing(8192, limit);
    while (true) {
      headBytes = 0;
      long size = chunkSize(readLine("chunk size"));
      if (size == 0) {
        headBytes = 0;
        readHeaders("trailer"); // trailers are read (bounded) and dropped
        return new Body(body.bytes(), false);
      }
      long room = limit - body.size;
      boolean truncated = size > room;
      int n = (int) Math.min(size, room);
      // in slices: the array grows with the bytes that arrive, not with the size the server announces
      for (int left = n; left > 0; ) {
        int slice = Math.min(left, readBuf.length);
        int got = readFully(body.room(slice), body.size, slice);
        body.size += got;
        if (got < slice) {
          throw new Malformed("the answer ended inside a chunk");
        }
        left -= got;
      }
      if (truncated) {
        return new Body(body.bytes(), true);
      }
      headBytes = 0;
      if (!readLine("chunk end").isEmpty()) {
        throw new Malformed("a chunk is not followed by CRLF");
      }
    }
  }

  /** A byte array that grows as the body comes in, never past the most bytes kept. */
  private static final class Growing {
    private final int max;
    private byte[] buf;
    int size;

    /** Starts with {@code min(initial, max)} bytes (at least 16); {@code max}: the most bytes kept. */
    Growing(int initial, int max) {
      this.max = max;
      buf = new byte[Math.max(Math.min(initial, max), 16)];
    }

    /** The array, with room for {@code more} bytes after {@link #size} (growing at most to the max). */
    byte[] room(int more) {
      if (size + more > buf.length) {
        long want = Math.max(Math.min((long) buf.length * 2, max), (long) size + more);
        buf = Arrays.copyOf(buf, (int) Math.min(want, Integer.MAX_VALUE - 16));
      }
      return buf;
    }

    byte[] bytes() {
      return size == buf.length ? buf : Arrays.copyOf(buf, size);
    }
  }

  private static int statusCode(String line) throws Malformed {
    if (line.length() < 12 || !line.startsWith("HTTP/1.") || (line.charAt(7) != '0' && line.charAt(7) != '1')
        || line.charAt(8) != ' ' || !digit(line.charAt(9)) || !digit(line.charAt(10)) || !digit(line.charAt(11))
        || (line.length() > 12 && line.charAt(12) != ' ')) {
      throw new Malformed("malformed status line \"" + HeaderRules.printable(line) + "\"");
    }
    int status = (line.charAt(9) - '0') * 100 + (line.charAt(10) - '0') * 10 + (line.charAt(11) - '0');
    if (status < 100) {
      throw new Malformed("malformed status line \"" + HeaderRules.printable(line) + "\"");
    }
    return status;
  }

  private static boolean digit(char c) {
    return c >= '0' && c <= '9';
  }

  /** Reads header lines up to the empty line; names are matched case-insensitively. */
  private Map<String, List<String>> readHeaders(String what) throws IOException {
    Map<String, List<String>> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    for (int count = 0; ; count++) {
      String line = readLine(what);
      if (line.isEmpty()) {
        return headers;
      }
      if (count >= MAX_HEADERS) {
        throw new Malformed("more than " + MAX_HEADERS + " header fields");
      }
      int colon = line.indexOf(':');
      if (colon <= 0 || !HeaderRules.isToken(line.substring(0, colon))) {
        // also refuses obsolete line folding (a line starting with a space)
        throw new Malformed("malformed " + what + " line \"" + HeaderRules.printable(line) + "\"");
      }
      String name = line.substring(0, colon);
      int start = colon + 1;
      int end = line.length();
      while (start < end && (line.charAt(start) == ' ' || line.charAt(start) == '\t')) {
        start++;
      }
      while (end > start && (line.charAt(end - 1) == ' ' || line.charAt(end - 1) == '\t')) {
        end--;
      }
      for (int i = start; i < end; i++) {
        char c = line.charAt(i);
        if ((c < 0x20 && c != '\t') || c == 0x7f) {
          throw new Malformed("a control character in the value of " + what + " " + HeaderRules.printable(name));
        }
      }
      String value = line.substring(start, end);
      List<String> values = headers.get(name);
      if (values == null) {
        headers.put(name, List.of(value));
      } else {
        List<String> more = new ArrayList<>(values);
        more.add(value);
        headers.put(name, more);
      }
    }
  }

  private static boolean hasToken(Map<String, List<String>> headers, String name, String token) {
    List<String> values = headers.get(name);
    if (values == null) {
      return false;
    }
    for (String v : values) {
      for (String part : v.split(",")) {
        if (part.trim().equalsIgnoreCase(token)) {
          return true;
        }
      }
    }
    return false;
  }

  private static boolean lastCodingIsChunked(List<String> te) {
    String last = te.get(te.size() - 1);
    int comma = last.lastIndexOf(',');
    return last.substring(comma + 1).trim().toLowerCase(Locale.ROOT).equals("chunked");
  }

  /** One value however often the field repeats (RFC 9110 8.6), at most 18 digits. */
  private static long contentLength(List<String> values) throws Malformed {
    long length = -1;
    for (String v : values) {
      for (String part : v.split(",", -1)) {
        String p = part.trim();
        if (p.isEmpty() || p.length() > 18) {
          throw new Malformed("invalid Content-Length \"" + HeaderRules.printable(v) + "\"");
        }
        long n = 0;
        for (int i = 0; i < p.length(); i++) {
          char c = p.charAt(i);
          if (!digit(c)) {
            throw new Malformed("invalid Content-Length \"" + HeaderRules.printable(v) + "\"");
          }
          n = n * 10 + (c - '0');
        }
        if (length >= 0 && n != length) {
          throw new Malformed("conflicting Content-Length values \"" + HeaderRules.printable(String.join(",", values))
              + "\"");
        }
        length = n;
      }
    }
    return length;
  }

  /** The size of a chunk, from its line (hex digits, optional extensions after {@code ;}). */
  private static long chunkSize(String line) throws Malformed {
    int end = line.indexOf(';');
    String hex = (end < 0 ? line : line.substring(0, end)).trim();
    if (hex.isEmpty() || hex.length() > 15) {
      throw new Malformed("invalid chunk size \"" + HeaderRules.printable(line) + "\"");
    }
    long size = 0;
    for (int i = 0; i < hex.length(); i++) {
      int d = Character.digit(hex.charAt(i), 16);
      if (d < 0) {
        throw new Malformed("invalid chunk size \"" + HeaderRules.printable(line) + "\"");
      }
      size = size * 16 + d;
    }
    return size;
  }

  /**
   * One line without its CRLF (a bare LF also ends it), decoded as Latin-1; bounded by {@link #MAX_LINE}
   * and, with the other lines of the same head, by {@link #MAX_HEAD}.
   */
  private String readLine(String what) throws IOException {
    byte[] acc = null;
    int accLen = 0;
    while (true) {
      if (pos == lim && fill() < 0) {
        throw acc == null && !answerStarted
            ? new EOFException("the connection was closed before any answer")
            : new Malformed("the answer ended inside its " + what);
      }
      int start = pos;
      int nl = -1;
      for (int i = start; i < lim; i++) {
        if (readBuf[i] == '\n') {
          nl = i;
          break;
        }
      }
      int end = nl < 0 ? lim : nl;
      int len = end - start;
      if (accLen + len > MAX_LINE || headBytes + accLen + len > MAX_HEAD) {
        throw new Malformed("the answer's " + what + " is longer than the limit ("
            + (accLen + len > MAX_LINE ? MAX_LINE + " bytes per line" : MAX_HEAD + " bytes per head") + ")");
      }
      if (nl >= 0) {
        pos = nl + 1;
        headBytes += accLen + len + 1;
        if (acc == null) {
          if (len > 0 && readBuf[end - 1] == '\r') {
            len--;
          }
          return new String(readBuf, start, len, StandardCharsets.ISO_8859_1);
        }
        acc = grow(acc, accLen + len);
        System.arraycopy(readBuf, start, acc, accLen, len);
        accLen += len;
        if (accLen > 0 && acc[accLen - 1] == '\r') {
          accLen--;
        }
        return new String(acc, 0, accLen, StandardCharsets.ISO_8859_1);
      }
      acc = grow(acc, accLen + len);
      System.arraycopy(readBuf, start, acc, accLen, len);
      accLen += len;
      pos = lim;
    }
  }

  private static byte[] grow(byte[] acc, int need) {
    if (acc == null) {
      return new byte[Math.max(256, need)];
    }
    return need <= acc.length ? acc : Arrays.copyOf(acc, Math.max(acc.length * 2, need));
  }

  /** Refills the read buffer when it is empty; the bytes read, or -1 at the end of the stream. */
  private int fill() throws IOException {
    if (pos < lim) {
      return lim - pos;
    }
    pos = 0;
    lim = 0;
    int n = in.read(readBuf, 0, readBuf.length);
    if (n > 0) {
      lim = n;
      answerStarted = true;
    }
    return n;
  }

  /** Up to {@code len} bytes into {@code dst}: from the buffer first, then straight from the socket. */
  private int read(byte[] dst, int off, int len) throws IOException {
    if (pos < lim) {
      int n = Math.min(len, lim - pos);
      System.arraycopy(readBuf, pos, dst, off, n);
      pos += n;
      return n;
    }
    if (len >= readBuf.length) {
      int n = in.read(dst, off, len);
      if (n > 0) {
        answerStarted = true;
      }
      return n;
    }
    int n = fill();
    if (n < 0) {
      return -1;
    }
    return read(dst, off, len);
  }

  /** Reads until {@code len} bytes or the end of the stream; the bytes read. */
  private int readFully(byte[] dst, int off, int len) throws IOException {
    int got = 0;
    while (got < len) {
      int n = read(dst, off + got, len - got);
      if (n < 0) {
        break;
      }
      got += n;
    }
    return got;
  }

  /** An answer that breaks HTTP/1.1's rules or the transport's bounds. */
  static final class Malformed extends IOException {
    private static final long serialVersionUID = 1L;

    Malformed(String message) {
      super(message);
    }
  }
}
