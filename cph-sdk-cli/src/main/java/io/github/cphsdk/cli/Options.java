package io.github.cphsdk.cli;

import io.github.cphsdk.CloudPhoneClient;
import io.github.cphsdk.auth.Credentials;
import io.github.cphsdk.model.ShareAppsRequest;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Option;

/** The option groups the commands share (picocli mixins). */
final class Options {
  private Options() {}

  /** Where and as whom: endpoint or region, project, credentials. Secrets only from the environment or a file. */
  static final class Connection {
    @Option(names = "--region", paramLabel = "REGION", description = "e.g. cn-north-4 (env CPH_REGION)")
    String region;

    @Option(names = "--endpoint", paramLabel = "URI", description = "any endpoint; wins over --region "
        + "(env CPH_ENDPOINT)")
    String endpoint;

    @Option(names = "--project-id", paramLabel = "ID", description = "(env CPH_PROJECT_ID or "
        + "HUAWEICLOUD_SDK_PROJECT_ID)")
    String projectId;

    @Option(names = "--token-file", paramLabel = "FILE", description = "read the IAM token from FILE (else env "
        + "CPH_AUTH_TOKEN, or HUAWEICLOUD_SDK_AK and HUAWEICLOUD_SDK_SK for AK/SK signing)")
    Path tokenFile;

    CloudPhoneClient client(Cph.Io io) {
      String ep = first(endpoint, io.env.get("CPH_ENDPOINT"));
      String rg = first(region, io.env.get("CPH_REGION"));
      String project = first(projectId, io.env.get("CPH_PROJECT_ID"), io.env.get("HUAWEICLOUD_SDK_PROJECT_ID"));
      List<String> missing = new ArrayList<>();
      if (ep == null && rg == null) {
        missing.add("--region or --endpoint (CPH_REGION / CPH_ENDPOINT)");
      }
      if (project == null) {
        missing.add("--project-id (CPH_PROJECT_ID)");
      }
      Credentials credentials = null;
      if (tokenFile != null) {
        String token;
        try {
          token = new String(Files.readAllBytes(tokenFile), StandardCharsets.UTF_8).trim();
        } catch (IOException e) {
          throw new Cph.InputException("--token-file " + tokenFile + " cannot be read: " + describe(e));
        }
        if (token.isEmpty()) {
          throw new Cph.InputException("--token-file " + tokenFile + " is empty");
        }
        credentials = Credentials.token(token);
      } else {
        try {
          credentials = Credentials.fromEnvironment(io.env::get);
        } catch (IllegalStateException e) {
          missing.add("credentials: CPH_AUTH_TOKEN, or HUAWEICLOUD_SDK_AK and HUAWEICLOUD_SDK_SK, or --token-file "
              + "FILE (" + e.getMessage() + ")");
        }
      }
      if (!missing.isEmpty()) {
        throw new Cph.InputException("missing settings: " + String.join("; ", missing));
      }
      CloudPhoneClient.Builder b = CloudPhoneClient.builder().projectId(project).credentials(credentials)
          .applicationId("cph-cli");
      if (ep != null) {
        URI uri;
        try {
          uri = URI.create(ep);
        } catch (IllegalArgumentException e) {
          throw new Cph.InputException("--endpoint must be a URI, got \"" + ep + "\"");
        }
        b.endpoint(uri);
      } else {
        b.region(rg);
      }
      return b.build();
    }
  }

  /** What to push. */
  static final class Push {
    @Option(names = "--package", paramLabel = "NAME", description = "Android package name (env CPH_PACKAGE)")
    String packageName;

    @Option(names = "--bucket", paramLabel = "BUCKET", description = "OBS bucket (env CPH_BUCKET)")
    String bucket;

    @Option(names = "--object", paramLabel = "PATH", description = "the .tar's object path (env CPH_OBJECT)")
    String object;

    @Option(names = "--pre-install", paramLabel = "BOOL", arity = "0..1", fallbackValue = "true",
        description = "pre-install the app (survives phone reset); omitted when not given")
    Boolean preInstall;

    ShareAppsRequest request(Cph.Io io, List<String> servers) {
      String p = first(packageName, io.env.get("CPH_PACKAGE"));
      String b = first(bucket, io.env.get("CPH_BUCKET"));
      String o = first(object, io.env.get("CPH_OBJECT"));
      List<String> missing = new ArrayList<>();
      if (p == null) {
        missing.add("--package (CPH_PACKAGE)");
      }
      if (b == null) {
        missing.add("--bucket (CPH_BUCKET)");
      }
      if (o == null) {
        missing.add("--object (CPH_OBJECT)");
      }
      if (!missing.isEmpty()) {
        throw new Cph.InputException("missing settings: " + String.join("; ", missing));
      }
      ShareAppsRequest.Builder r = ShareAppsRequest.builder().packageName(p).bucketName(b).objectPath(o)
          .serverIds(servers);
      if (preInstall != null) {
        r.preInstallApp(preInstall);
      }
      return r.build();
    }
  }

  /** Which servers: {@code --servers a,b} or {@code --servers-file FILE} ({@code -} for stdin). */
  static final class Servers {
    @Option(names = "--servers", paramLabel = "ID,ID,...", split = ",", description = "server ids")
    List<String> servers;

    @Option(names = "--servers-file", paramLabel = "FILE", description = "one server id per line ('-' for stdin); "
        + "blank lines and lines starting with # are ignored")
    String serversFile;

    /** The ids, each checked; duplicates and malformed ids refused naming the line or position. */
    List<String> read(Cph.Io io, boolean required) {
      if (servers != null && serversFile != null) {
        throw new Cph.InputException("give --servers or --servers-file, not both");
      }
      List<String> out = new ArrayList<>();
      Map<String, String> seen = new HashMap<>();
      if (servers != null) {
        for (int i = 0; i < servers.size(); i++) {
          add(out, seen, servers.get(i).trim(), "--servers item " + (i + 1));
        }
      } else if (serversFile != null) {
        String name = serversFile.equals("-") ? "stdin" : serversFile;
        try (BufferedReader r = serversFile.equals("-")
            ? new BufferedReader(new InputStreamReader(io.in, StandardCharsets.UTF_8))
            : Files.newBufferedReader(Paths.get(serversFile), StandardCharsets.UTF_8)) {
          String line;
          int n = 0;
          while ((line = r.readLine()) != null) {
            n++;
            String id = line.trim();
            if (id.isEmpty() || id.startsWith("#")) {
              continue;
            }
            add(out, seen, id, "--servers-file " + name + " line " + n);
          }
        } catch (IOException e) {
          throw new Cph.InputException("--servers-file " + name + " cannot be read: " + describe(e));
        }
      }
      if (required && out.isEmpty()) {
        throw new Cph.InputException("no servers: give --servers ID,ID,... or --servers-file FILE");
      }
      return out;
    }

    private static void add(List<String> out, Map<String, String> seen, String id, String where) {
      if (!isServerId(id)) {
        throw new Cph.InputException(where + ": \"" + shorten(id) + "\" is not a server id (32 letters or digits)");
      }
      String before = seen.putIfAbsent(id, where);
      if (before != null) {
        throw new Cph.InputException(where + ": server " + id + " is listed twice (first at " + before + ")");
      }
      out.add(id);
    }
  }

  static boolean isServerId(String id) {
    if (id.length() != 32) {
      return false;
    }
    for (int i = 0; i < id.length(); i++) {
      char c = id.charAt(i);
      if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))) {
        return false;
      }
    }
    return true;
  }

  static String shorten(String s) {
    return s.length() > 40 ? s.substring(0, 40) + "..." : s;
  }

  static String describe(IOException e) {
    if (e instanceof NoSuchFileException) {
      return "no such file";
    }
    if (e instanceof java.nio.file.AccessDeniedException) {
      return "permission denied";
    }
    return e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
  }

  static String first(String... values) {
    for (String v : values) {
      if (v != null && !v.trim().isEmpty()) {
        return v.trim();
      }
    }
    return null;
  }
}
