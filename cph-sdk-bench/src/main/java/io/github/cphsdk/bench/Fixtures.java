package io.github.cphsdk.bench;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The values every contender sends and the answers the stub gives, shared so all do the same exchange. */
public final class Fixtures {
  private Fixtures() {}

  public static final String PROJECT_ID = "0123456789abcdef0123456789abcdef";
  public static final String PACKAGE_NAME = "com.miniteck.miniworld";
  public static final String BUCKET = "bucket";
  public static final String OBJECT_PATH = "my_apps/test.tar";
  /** Test AK/SK: the stub does not check signatures, it only requires an auth header. */
  public static final String AK = "QTWAOYTTINDUT2QVKYUC";
  public static final String SK = "MFyfvK41ba2giqM7Uio6PznpdUKGpownRZlmVmHc";
  /**
   * A stand-in IAM token. Real PKI tokens are several KB; this one is kept at 512 characters so the token
   * column measures the SDK, not the bytes of the header.
   */
  public static final String TOKEN = "MIIZ" + "x".repeat(508);

  /** The two server ids of docs/API.md section 1's example. */
  public static final List<String> DOC_SERVER_IDS =
      List.of("1234567b8bab40ffb711234cb80d0234", "1678567b8bab40f93711234cb80d0764");

  /** The documented 200 answer of section 1, byte for byte as the stub sends it for the example. */
  public static final String DOC_ANSWER = "{\"request_id\":\"6837531fd3f54550927b930180a706bf\",\n"
      + " \"jobs\":[{\"server_id\":\"1234567b8bab40ffb711234cb80d0234\",\"job_id\":\"1564567b8bab40f34711234cb80d0123\"},\n"
      + "         {\"server_id\":\"1678567b8bab40f93711234cb80d0764\",\"job_id\":\"1564567b8bab40f34711234cb80d5678\"}]}";

  /** {@code n} server ids: the two documented ones first, then generated 32-hex ids. */
  public static List<String> serverIds(int n) {
    List<String> ids = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      ids.add(i < DOC_SERVER_IDS.size() ? DOC_SERVER_IDS.get(i) : String.format(Locale.ROOT, "%032x", 0xabc000L + i));
    }
    return ids;
  }

  /** A 200 answer with one job per server, the documented answer for the documented two servers. */
  public static byte[] answer(int servers) {
    if (servers == 2) {
      return DOC_ANSWER.getBytes(StandardCharsets.UTF_8);
    }
    StringBuilder sb = new StringBuilder("{\"request_id\":\"6837531fd3f54550927b930180a706bf\",\"jobs\":[");
    List<String> ids = serverIds(servers);
    for (int i = 0; i < servers; i++) {
      sb.append(i == 0 ? "" : ",").append("{\"server_id\":\"").append(ids.get(i)).append("\",\"job_id\":\"")
          .append(String.format(Locale.ROOT, "%032x", 0x10b000L + i)).append("\"}");
    }
    return sb.append("]}").toString().getBytes(StandardCharsets.UTF_8);
  }

  /** The request body the official SDK and ours send for {@code servers} ids (same bytes, same field order). */
  public static byte[] body(int servers) {
    StringBuilder sb = new StringBuilder("{\"package_name\":\"").append(PACKAGE_NAME)
        .append("\",\"pre_install_app\":1,\"bucket_name\":\"").append(BUCKET)
        .append("\",\"object_path\":\"").append(OBJECT_PATH).append("\",\"server_ids\":[");
    List<String> ids = serverIds(servers);
    for (int i = 0; i < servers; i++) {
      sb.append(i == 0 ? "\"" : ",\"").append(ids.get(i)).append('"');
    }
    return sb.append("]}").toString().getBytes(StandardCharsets.UTF_8);
  }

  /** The path of the push for the fixed project. */
  public static String path() {
    return "/v1/" + PROJECT_ID + "/cloud-phone/phones/share-apps";
  }
}
