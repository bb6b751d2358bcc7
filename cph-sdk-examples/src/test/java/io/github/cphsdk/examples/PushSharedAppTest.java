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
    assertTrue(printed.contains("Result: 1 job(s) started, 1 rejected, 0 in failed batches"), printed);
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
    assertTrue(out.toString(StandardCharsets.UTF_8).contains("request id r2: 2 job(s) started, 0 server(s) rejected"));
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
  void invalidInputNamesTheField() {
    String[] a = args();
    a[4] = "--object=apps/game.zip";
    int code = PushSharedApp.run(a, Map.of("CPH_AUTH_TOKEN", "tok")::get);
    assertEquals(2, code);
    assertTrue(err.toString(StandardCharsets.UTF_8).contains("object_path must name a .tar file"));
  }
}
