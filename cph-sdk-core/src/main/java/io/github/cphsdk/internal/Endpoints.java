package io.github.cphsdk.internal;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.Properties;
import java.util.regex.Pattern;

/** Checks for what the client builder is given: endpoints, regions, project ids, the user agent. */
public final class Endpoints {
  private static final Pattern REGION = Pattern.compile("[a-z0-9]+(-[a-z0-9]+)*");
  private static final Pattern PROJECT_ID = Pattern.compile("[A-Za-z0-9_-]{1,64}");
  private static final Pattern APPLICATION_ID = Pattern.compile("[A-Za-z0-9._/+-]{1,64}");
  private static final String VERSION = readVersion();

  private Endpoints() {}

  /** {@code https://cph.{region}.myhuaweicloud.com}. */
  public static URI forRegion(String region) {
    if (region == null || region.length() > 32 || !REGION.matcher(region).matches()) {
      throw new IllegalArgumentException("region must be a Huawei Cloud region id such as cn-north-4 (lowercase "
          + "letters and digits separated by '-', at most 32 characters), got \"" + shorten(region) + "\"");
    }
    return URI.create("https://cph." + region + ".myhuaweicloud.com");
  }

  /**
   * The endpoint as the client will use it: absolute http(s), a host, no user info, query or fragment,
   * no default port, no trailing slash. Plain http is refused for hosts other than loopback unless
   * {@code allowInsecureHttp}, because the token would travel in clear.
   */
  public static URI checkEndpoint(URI endpoint, boolean allowInsecureHttp) {
    String scheme = endpoint.getScheme() == null ? null : endpoint.getScheme().toLowerCase(Locale.ROOT);
    if (!endpoint.isAbsolute() || !("https".equals(scheme) || "http".equals(scheme))) {
      throw new IllegalArgumentException("endpoint must be an absolute http or https URI, got \"" + endpoint + "\"");
    }
    if (endpoint.getHost() == null) {
      throw new IllegalArgumentException("endpoint must name a host, got \"" + endpoint + "\"");
    }
    if (endpoint.getRawUserInfo() != null) {
      throw new IllegalArgumentException("endpoint must not carry user info (credentials go in credentials(...)), "
          + "got an endpoint with user info for host " + endpoint.getHost());
    }
    if (endpoint.getRawQuery() != null || endpoint.getRawFragment() != null) {
      throw new IllegalArgumentException("endpoint must not have a query or fragment, got \"" + endpoint + "\"");
    }
    if ("http".equals(scheme) && !allowInsecureHttp && !isLoopback(endpoint.getHost())) {
      throw new IllegalArgumentException("endpoint uses plain http to " + endpoint.getHost()
          + ": the token or signature would travel in clear. Use https, a loopback host, or "
          + "allowInsecureHttp(true) if you really mean it");
    }
    int port = endpoint.getPort();
    if (("https".equals(scheme) && port == 443) || ("http".equals(scheme) && port == 80)) {
      port = -1;
    }
    // The ASCII form: non-ASCII path characters percent-encoded, as they go on the wire (and are signed).
    String path = URI.create(endpoint.toASCIIString()).getRawPath();
    path = path == null ? "" : path;
    while (path.endsWith("/")) {
      path = path.substring(0, path.length() - 1);
    }
    // An empty segment could turn "//host" into an authority, a dot segment moves the path: both change
    // where the request goes, so neither is taken.
    for (String segment : path.isEmpty() ? new String[0] : path.substring(1).split("/", -1)) {
      String dots = PercentEncoding.decode(segment);
      if (segment.isEmpty() || dots.equals(".") || dots.equals("..")) {
        throw new IllegalArgumentException("endpoint path must not have empty, '.' or '..' segments, got \""
            + endpoint + "\"");
      }
    }
    // The client adds /v1/{project_id}/...: an endpoint that already ends in the version would 404 on every call.
    int lastSlash = path.lastIndexOf('/');
    if (lastSlash >= 0 && path.substring(lastSlash + 1).equalsIgnoreCase("v1")) {
      String base = scheme + "://" + hostForUri(endpoint.getHost()) + (port == -1 ? "" : ":" + port)
          + path.substring(0, lastSlash);
      throw new IllegalArgumentException("endpoint must not end in the API version /v1: the client adds "
          + "/v1/{project_id}/... itself, so every call would go to .../v1/v1/... and fail with 404. Use \""
          + base + "\" instead of \"" + endpoint + "\"");
    }
    try {
      return new URI(scheme + "://" + hostForUri(endpoint.getHost()) + (port == -1 ? "" : ":" + port) + path);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("endpoint is not a valid URI: \"" + endpoint + "\"", e);
    }
  }

  /**
   * The request URI for {@code rawPath} (absolute, already encoded) on a {@linkplain #checkEndpoint checked}
   * endpoint: its scheme and authority, that path. Never {@link URI#resolve}, which would read a path starting
   * with {@code //} as another host.
   */
  public static URI uri(URI endpoint, String rawPath) {
    if (!rawPath.startsWith("/")) {
      throw new IllegalArgumentException("path must start with '/': " + rawPath);
    }
    return URI.create(endpoint.getScheme() + "://" + endpoint.getRawAuthority() + rawPath);
  }

  /**
   * Literal loopback names only (no DNS lookup): {@code localhost}, 127.0.0.0/8, ::1. Names under
   * {@code .localhost} are not taken: what they resolve to depends on the resolver (RFC 6761 only asks that they
   * be loopback, and many resolvers send them to DNS), so a plain http token could leave the machine.
   */
  public static boolean isLoopback(String host) {
    String h = host.toLowerCase(Locale.ROOT);
    if (h.startsWith("[") && h.endsWith("]")) {
      h = h.substring(1, h.length() - 1);
    }
    if (h.equals("localhost") || h.equals("::1") || h.equals("0:0:0:0:0:0:0:1")) {
      return true;
    }
    String[] parts = h.split("\\.", -1);
    if (parts.length != 4 || !parts[0].equals("127")) {
      return false;
    }
    for (String p : parts) {
      if (p.isEmpty() || p.length() > 3 || !p.chars().allMatch(Character::isDigit) || Integer.parseInt(p) > 255) {
        return false;
      }
    }
    return true;
  }

  /**
   * The {@code Host} header an HTTP client sends for this URI: the host (IPv6 literals keep their brackets)
   * plus {@code :port} only when the port is given and is not the scheme's default. The AK/SK signature covers
   * this value, and the default transport sends it, so both take it from here.
   *
   * @param uri an absolute http or https URI
   * @return the header value
   */
  public static String hostHeader(URI uri) {
    String host = uri.getHost();
    int port = uri.getPort();
    if (port == -1) {
      return host;
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    boolean defaultPort = ("https".equals(scheme) && port == 443) || ("http".equals(scheme) && port == 80);
    return defaultPort ? host : host + ':' + port;
  }

  private static String hostForUri(String host) {
    return host.indexOf(':') >= 0 && !host.startsWith("[") ? "[" + host + "]" : host;
  }

  /** 1 to 64 of {@code [A-Za-z0-9_-]}: safe as one path segment without encoding. */
  public static String checkProjectId(String projectId) {
    if (projectId == null) {
      throw new IllegalArgumentException("projectId is required");
    }
    if (!PROJECT_ID.matcher(projectId).matches()) {
      throw new IllegalArgumentException("projectId must be 1 to 64 of A-Z a-z 0-9 _ - (it is one path segment), "
          + "got \"" + shorten(projectId) + "\"");
    }
    return projectId;
  }

  /** An id that goes into a URL path segment (job ids): same alphabet as project ids. */
  public static String checkPathId(String field, String id) {
    if (id == null) {
      throw new IllegalArgumentException(field + " is required");
    }
    if (!PROJECT_ID.matcher(id).matches()) {
      throw new IllegalArgumentException(field + " must be 1 to 64 of A-Z a-z 0-9 _ - (it is one path segment), "
          + "got \"" + shorten(id) + "\"");
    }
    return id;
  }

  /** {@code cph-sdk-java/<version> Java/<java.version> (<os.name>)} plus the application id. */
  public static String userAgent(String applicationId) {
    String ua = "cph-sdk-java/" + VERSION + " Java/" + ascii(System.getProperty("java.version", "unknown"))
        + " (" + ascii(System.getProperty("os.name", "unknown")) + ")";
    return applicationId == null ? ua : ua + " " + applicationId;
  }

  /** Checks an application id for the user agent. */
  public static String checkApplicationId(String applicationId) {
    if (applicationId == null || !APPLICATION_ID.matcher(applicationId).matches()) {
      throw new IllegalArgumentException("applicationId must be 1 to 64 of A-Z a-z 0-9 . _ / + -, got \""
          + shorten(applicationId) + "\"");
    }
    return applicationId;
  }

  /** The SDK version from the jar's build properties. */
  public static String version() {
    return VERSION;
  }

  private static String ascii(String s) {
    StringBuilder sb = new StringBuilder();
    for (char c : s.toCharArray()) {
      sb.append(c >= 0x20 && c < 0x7f && c != '(' && c != ')' ? c : '_');
    }
    return sb.toString();
  }

  public static String shorten(String s) {
    if (s == null) {
      return "null";
    }
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < s.length() && i < 64; i++) {
      char c = s.charAt(i);
      sb.append(c < 0x20 || c >= 0x7f ? String.format("\\u%04x", (int) c) : String.valueOf(c));
    }
    return s.length() > 64 ? sb + "..." : sb.toString();
  }

  private static String readVersion() {
    try (InputStream in = Endpoints.class.getResourceAsStream("cph-sdk.properties")) {
      if (in != null) {
        Properties p = new Properties();
        p.load(in);
        String v = p.getProperty("version");
        if (v != null && !v.startsWith("$")) {
          return v;
        }
      }
    } catch (IOException ignored) {
      // fall through to "dev"
    }
    return "dev";
  }
}
