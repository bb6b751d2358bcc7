package io.github.cphsdk.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The README's main command: {@code PushSharedApp} with no settings runs the whole workflow against the
 * embedded emulator (real-time jobs of 1 to 3 s) and exits 0.
 */
class DemoTest {

  @Test
  void theDemoPushesToFiftyServersWaitsAndPrintsTheSummary() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    PrintStream oldOut = System.out;
    PrintStream oldErr = System.err;
    int code;
    try {
      System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
      System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
      code = PushSharedApp.run(new String[0], name -> null);
    } finally {
      System.setOut(oldOut);
      System.setErr(oldErr);
    }
    String printed = out.toString(StandardCharsets.UTF_8);
    assertEquals(0, code, printed + err.toString(StandardCharsets.UTF_8));

    List<String> servers = PushSharedApp.demoServers();
    String rejected = servers.get(PushSharedApp.DEMO_REJECTED);
    String failing = servers.get(PushSharedApp.DEMO_FAILING);
    assertTrue(printed.startsWith("DEMO MODE: no CPH_ENDPOINT or CPH_REGION is set"), printed);
    assertTrue(printed.contains("to 50 servers in 3 batches of at most 20"), printed);
    assertTrue(printed.contains("(push shared apps: HTTP 429 APIGW.0308, nothing was applied; retrying in"), printed);
    for (String batch : new String[] {"batch 1/3: 20 servers", "batch 2/3: 20 servers", "batch 3/3: 10 servers"}) {
      assertTrue(printed.contains(batch), batch + " in " + printed);
    }
    assertTrue(printed.contains("Waiting for 49 jobs"), printed);
    assertTrue(printed.contains("/49 finished: "), "a progress line: " + printed);
    assertTrue(printed.contains("] 49/49 finished: 48 succeeded, 1 failed, 0 running"), printed);
    assertTrue(printed.contains("job failed on " + failing + ": CPS.0200 Failed to install the shared application. "
        + "(execute_msg: no space left on device)"), printed);

    // one summary row per server, in order, each exactly once
    Matcher row = Pattern.compile("(?m)^ +(\\d+)  ([0-9a-f]{32})  (\\S+(?: \\S+)?) +(\\S+) +(\\S+(?: STARTED)?) *(.*)$")
        .matcher(printed);
    List<String> rows = new java.util.ArrayList<>();
    List<String> rowServers = new java.util.ArrayList<>();
    while (row.find()) {
      rows.add(row.group(0));
      rowServers.add(row.group(2));
      assertEquals(rowServers.size(), Integer.parseInt(row.group(1)));
    }
    assertEquals(servers, rowServers);
    List<String> succeeded = rows.stream().filter(r -> r.contains(" accepted ") && r.contains(" SUCCEEDED"))
        .collect(Collectors.toList());
    assertEquals(48, succeeded.size(), String.join("\n", rows));
    assertTrue(rows.get(PushSharedApp.DEMO_REJECTED).matches(" +8  " + rejected
        + "  REJECTED +- +NOT STARTED  CPS.0149 The server does not support shared applications\\."), rows.get(7));
    assertTrue(rows.get(PushSharedApp.DEMO_FAILING).matches(" +34  " + failing + "  accepted +[0-9a-zA-Z-]+ +FAILED +"
        + "CPS.0200 Failed to install the shared application\\. \\(execute_msg: no space left on device\\)"),
        rows.get(33));
    assertTrue(printed.contains("Result: 48 succeeded, 1 failed, 0 still running, 1 not started (of 50 servers) in "),
        printed);
    assertTrue(printed.contains("Demo finished as expected"), printed);
    assertTrue(printed.contains("Exit code 0."), printed);
    assertTrue(!printed.contains(PushSharedApp.DEMO_SECRET_KEY), "the secret key is never printed");
    assertTrue(printed.contains("(requests signed with AK/SK"), printed);
    // the throttled answer is aimed at the batch of server #26: always batch 2, retried, then accepted
    assertTrue(printed.contains("batch 2/3: 20 servers, request "), printed);
    assertTrue(printed.contains("throttles the request of batch 2 once"), printed);
    // the first progress line comes at once, before the first poll
    int waiting = printed.indexOf("Waiting for 49 jobs");
    assertTrue(printed.startsWith("  [--------------------] 0/49 finished: 0 succeeded, 0 failed, 49 running  ",
        waiting + "Waiting for 49 jobs (timeout 1 min):\n".length()), printed.substring(waiting));
    assertTrue(printed.contains("(first check in 0.5 s)"), printed);
    assertEquals("", err.toString(StandardCharsets.UTF_8), "nothing failed, nothing on stderr");
  }
}
