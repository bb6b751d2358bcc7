package io.github.cphsdk.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class PushSharedAppTest {
  MockWebServer server;
  final ByteArrayOutputStream out = new ByteArrayOutputStream();
  final ByteArrayOutputStream err = new ByteArrayOutputStream();
  PrintStream oldOut;
  PrintStream oldErr;

  @BeforeEach
  void start() throws Exception {
    server = new MockWebServer();
    server.start(InetAddress.getByName("127.0.0.1"), 0);
    oldOut = System.out;
    oldErr = System.err;
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  @AfterEach
  void stop() {
    System.setOut(oldOut);
    System.setErr(oldErr);
    server.close();
  }

  String[] args() {
    return new String[] {"--endpoint=" + server.url("/").uri(), "--project-id=0123456789abcdef0123456789abcdef",
        "--package=com.example.game", "--bucket=my-bucket", "--object=apps/game.tar",
        "--servers=1234567b8bab40ffb711234cb80d0234,1678567b8bab40f93711234cb80d0764"};
  }

  @Test
  void syncExamplePushesWithSettingsFromArgumentsAndEnvironment() throws Exception {
    server.enqueue(new MockResponse.Builder().code(200).body("{\"request_id\":\"r1\",\"jobs\":["
        + "{\"server_id\":\"1234567b8bab40ffb711234cb80d0234\",\"job_id\":\"j1\"},"
        + "{\"server_id\":\"1678567b8bab40f93711234cb80d0764\",\"error_code\":\"CPS.0016\",\"error_msg\":\"bad id\"}]}").build());
    String[] args = java.util.Arrays.copyOf(args(), args().length + 1);
    args[args.length - 1] = "--wait=false";
    int code = PushSharedApp.run(args, Map.of("CPH_AUTH_TOKEN", "tok-from-env")::get);
    assertEquals(1, code, "a rejected server makes the exit code 1");
    String printed = out.toString(StandardCharsets.UTF_8);
    assertTrue(printed.contains("batch 1/1:  2 servers, request r1: 1 job started, 1 rejected"), printed);
    assertTrue(printed.matches("(?s).*  1  1234567b8bab40ffb711234cb80d0234  accepted +j1 +- *\n.*"), printed);
    assertTrue(printed.matches("(?s).*  2  1678567b8bab40f93711234cb80d0764  REJECTED +- +- +CPS.0016 bad id\n.*"),
        printed);
    assertTrue(printed.contains("Result: 1 job started, 1 rejected, 0 in failed batches, 0 not confirmed (of 2 servers)"),
        printed);
    RecordedRequest sent = server.takeRequest();
    assertEquals("tok-from-env", sent.getHeaders().get("X-Auth-Token"));
    assertEquals(1, server.getRequestCount(), "--wait=false: no job polling");
  }

  @Test
  void asyncExamplePushes() {
    server.enqueue(new MockResponse.Builder().code(200).body("{\"request_id\":\"r2\",\"jobs\":["
        + "{\"server_id\":\"1234567b8bab40ffb711234cb80d0234\",\"job_id\":\"j1\"},"
        + "{\"server_id\":\"1678567b8bab40f93711234cb80d0764\",\"job_id\":\"j2\"}]}").build());
    int code = PushSharedAppAsync.run(args(), Map.of("CPH_AUTH_TOKEN", "tok")::get);
    assertEquals(0, code);
    assertTrue(out.toString(StandardCharsets.UTF_8).contains("request id r2: 2 jobs started, 0 servers rejected"),
        out.toString(StandardCharsets.UTF_8));
  }

  @Test
  void missingSettingsPrintUsage() {
    int code = PushSharedApp.run(new String[] {"--package=com.example.game"}, name -> null);
    assertEquals(2, code);
    String printed = err.toString(StandardCharsets.UTF_8);
    assertTrue(printed.contains("missing: --region or --endpoint (CPH_REGION / CPH_ENDPOINT), --project-id"), printed);
    assertTrue(printed.contains("usage: PushSharedApp"), printed);
    assertEquals(0, server.getRequestCount());
  }

  @Test
  void helpPrintsTheUsageToStdoutAndExitsZero() {
    for (String help : new String[] {"--help", "-h"}) {
      out.reset();
      assertEquals(0, PushSharedApp.run(new String[] {help}, name -> null));
      assertTrue(out.toString(StandardCharsets.UTF_8).startsWith("usage: PushSharedApp"), out.toString());
      assertTrue(out.toString(StandardCharsets.UTF_8).contains("-Dexec.args="), out.toString());
      assertEquals(0, PushSharedAppAsync.run(new String[] {help}, name -> null));
      assertTrue(out.toString(StandardCharsets.UTF_8).contains("usage: PushSharedAppAsync"), out.toString());
    }
    assertEquals("", err.toString(StandardCharsets.UTF_8));
    assertEquals(0, server.getRequestCount());
  }

  @Test
  void realModeSignsWithAkSkFromTheEnvironment() throws Exception {
    server.enqueue(new MockResponse.Builder().code(200).body("{\"request_id\":\"r1\",\"jobs\":["
        + "{\"server_id\":\"1234567b8bab40ffb711234cb80d0234\",\"job_id\":\"j1\"}]}").build());
    String[] a = {"--endpoint=" + server.url("/").uri(), "--package=com.example.game", "--bucket=my-bucket",
        "--object=apps/game.tar", "--servers=1234567b8bab40ffb711234cb80d0234", "--wait=false"};
    int code = PushSharedApp.run(a, Map.of("HUAWEICLOUD_SDK_AK", "AKFROMENV0001", "HUAWEICLOUD_SDK_SK", "sk-from-env",
        "HUAWEICLOUD_SDK_PROJECT_ID", "0123456789abcdef0123456789abcdef")::get);
    assertEquals(0, code, out.toString(StandardCharsets.UTF_8) + err.toString(StandardCharsets.UTF_8));
    RecordedRequest sent = server.takeRequest();
    assertTrue(sent.getHeaders().get("Authorization").startsWith("SDK-HMAC-SHA256 Access=AKFROMENV0001, "),
        sent.getHeaders().get("Authorization"));
    assertEquals(null, sent.getHeaders().get("X-Auth-Token"));
    String printed = out.toString(StandardCharsets.UTF_8);
    assertTrue(printed.contains("to 1 server in 1 batch of at most 20"), printed);
    assertTrue(printed.contains("batch 1/1:  1 server, request r1: 1 job started"), printed);
    assertTrue(printed.contains("(of 1 server) in "), printed);
    assertTrue(!printed.contains("sk-from-env") && !err.toString(StandardCharsets.UTF_8).contains("sk-from-env"));
  }

  @Test
  void missingCredentialsNameBothWays() {
    String[] a = {"--endpoint=" + server.url("/").uri(), "--project-id=0123456789abcdef0123456789abcdef",
        "--package=com.example.game", "--bucket=my-bucket", "--object=apps/game.tar",
        "--servers=1234567b8bab40ffb711234cb80d0234"};
    assertEquals(2, PushSharedApp.run(a, name -> null));
    assertTrue(err.toString(StandardCharsets.UTF_8).contains(
        "missing: --token (CPH_AUTH_TOKEN) or --ak and --sk (HUAWEICLOUD_SDK_AK / HUAWEICLOUD_SDK_SK)"), err.toString());
    err.reset();
    assertEquals(2, PushSharedApp.run(a, Map.of("HUAWEICLOUD_SDK_AK", "AK1")::get));
    assertTrue(err.toString(StandardCharsets.UTF_8).contains("missing: --sk (HUAWEICLOUD_SDK_SK) to go with the access key"),
        err.toString());
    assertEquals(0, server.getRequestCount());
  }

  @Test
  void whenEveryBatchFailedThereIsNothingToWaitFor() {
    server.enqueue(new MockResponse.Builder().code(400).body("{\"error_code\":\"CPS.0001\",\"error_msg\":\"No "
        + "permission.\",\"request_id\":\"e1\"}").build());
    int code = PushSharedApp.run(args(), Map.of("CPH_AUTH_TOKEN", "tok")::get);
    assertEquals(1, code);
    String printed = out.toString(StandardCharsets.UTF_8);
    assertTrue(printed.contains("No job was started, so there is nothing to wait for."), printed);
    assertTrue(!printed.contains("Waiting for 0 jobs"), printed);
    assertEquals(1, server.getRequestCount(), "no job polling");
  }

  @Test
  void retryLinesSayWhatFailedNotTheExceptionClass() {
    assertEquals("could not connect to 127.0.0.1:9 (java.net.ConnectException: Connection refused)",
        PushSharedApp.firstSentence("push shared apps: could not connect to 127.0.0.1:9 (java.net.ConnectException: "
            + "Connection refused). Nothing was sent.", "push shared apps"));
    assertEquals("no answer", PushSharedApp.firstSentence(null, "push shared apps"));
  }

  @Test
  void invalidInputNamesTheField() {
    String[] a = args();
    a[4] = "--object=apps/game.zip";
    int code = PushSharedApp.run(a, Map.of("CPH_AUTH_TOKEN", "tok")::get);
    assertEquals(2, code);
    assertTrue(err.toString(StandardCharsets.UTF_8).contains("object_path must name a .tar file"));
  }
}
