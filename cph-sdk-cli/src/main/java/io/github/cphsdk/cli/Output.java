package io.github.cphsdk.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.github.cphsdk.model.Job;
import io.github.cphsdk.model.JobReport;
import io.github.cphsdk.model.ServerOutcome;
import io.github.cphsdk.model.ServerProgress;
import io.github.cphsdk.rollout.RolloutReport;
import io.github.cphsdk.rollout.RolloutServer;
import java.io.IOException;
import java.io.PrintStream;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Option;

/** The per-server result on stdout: a table, or one JSON object per line ({@code --output json}). */
final class Output {
  private static final JsonFactory JSON = new JsonFactory();

  /** The {@code --output} option. */
  static final class Format {
    @Option(names = "--output", paramLabel = "FORMAT", description = "table (default) or json: one JSON object per "
        + "server and line")
    String format = "table";

    boolean json() {
      if (format.equalsIgnoreCase("json")) {
        return true;
      }
      if (format.equalsIgnoreCase("table")) {
        return false;
      }
      throw new Cph.InputException("--output must be table or json, got \"" + format + "\"");
    }
  }

  /** One server's line. */
  static final class Row {
    String server;
    Integer wave;
    String push;
    String status;
    String requestId;
    String jobId;
    String errorCode;
    String errorMessage;
  }

  static List<Row> rows(RolloutReport report) {
    List<Row> out = new ArrayList<>();
    for (RolloutServer s : report.servers()) {
      Row r = new Row();
      r.server = s.serverId();
      r.wave = s.wave();
      r.push = s.push().name();
      r.status = s.status().name();
      r.requestId = s.requestId().orElse(null);
      r.jobId = s.jobId().orElse(null);
      r.errorCode = s.errorCode().orElse(null);
      r.errorMessage = s.errorMessage().orElse(null);
      out.add(r);
    }
    return out;
  }

  static List<Row> rows(List<ServerOutcome> outcome, JobReport report) {
    List<Row> out = new ArrayList<>();
    for (int i = 0; i < outcome.size(); i++) {
      ServerOutcome o = outcome.get(i);
      Row r = new Row();
      r.server = o.serverId();
      r.push = o.result().name();
      r.requestId = o.requestId().orElse(null);
      r.jobId = o.jobId().orElse(null);
      r.errorCode = o.errorCode().orElse(null);
      r.errorMessage = o.errorMsg().orElse(o.failure().map(Cph::message).orElse(null));
      if (report != null) {
        ServerProgress p = report.servers().get(i);
        r.status = p.state().name();
        r.jobId = p.jobId().orElse(r.jobId);
        r.errorCode = p.errorCode().orElse(r.errorCode);
        r.errorMessage = p.errorMsg().orElse(r.errorMessage);
      } else {
        r.status = o.result() == ServerOutcome.Result.ACCEPTED ? "STARTED" : "NOT_STARTED";
      }
      out.add(r);
    }
    return out;
  }

  static List<Row> rows(List<Job> jobs) {
    List<Row> out = new ArrayList<>();
    for (Job j : jobs) {
      Row r = new Row();
      r.server = j.serverId();
      r.status = j.status().name();
      r.requestId = j.requestId().orElse(null);
      r.jobId = j.jobId();
      r.errorCode = j.errorCode().orElse(null);
      r.errorMessage = j.errorMsg().orElse(null);
      out.add(r);
    }
    return out;
  }

  static void print(PrintStream out, List<Row> rows, boolean json) {
    if (json) {
      for (Row r : rows) {
        out.println(json(r));
      }
      out.flush();
      return;
    }
    boolean waves = rows.stream().anyMatch(r -> r.wave != null);
    boolean push = rows.stream().anyMatch(r -> r.push != null);
    StringBuilder head = new StringBuilder(String.format(Locale.ROOT, "%5s  %-32s", "#", "server"));
    if (waves) {
      head.append(String.format(Locale.ROOT, "  %4s", "wave"));
    }
    if (push) {
      head.append(String.format(Locale.ROOT, "  %-12s", "push"));
    }
    head.append(String.format(Locale.ROOT, "  %-32s  %-11s  %s", "job", "status", "detail"));
    out.println(head.toString().stripTrailing());
    int i = 0;
    for (Row r : rows) {
      StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%5d  %-32s", ++i, r.server));
      if (waves) {
        line.append(String.format(Locale.ROOT, "  %4s", r.wave == null ? "-" : r.wave.toString()));
      }
      if (push) {
        line.append(String.format(Locale.ROOT, "  %-12s", r.push == null ? "-" : r.push));
      }
      String detail = (r.errorCode == null ? "" : r.errorCode + " ") + (r.errorMessage == null ? "" : r.errorMessage);
      line.append(String.format(Locale.ROOT, "  %-32s  %-11s  %s", r.jobId == null ? "-" : r.jobId, r.status,
          detail.trim()));
      out.println(line.toString().stripTrailing());
    }
    out.flush();
  }

  static String json(Row r) {
    StringWriter w = new StringWriter();
    try (JsonGenerator g = JSON.createGenerator(w)) {
      g.writeStartObject();
      g.writeStringField("server_id", r.server);
      if (r.wave != null) {
        g.writeNumberField("wave", r.wave);
      }
      field(g, "push", r.push);
      field(g, "status", r.status);
      field(g, "request_id", r.requestId);
      field(g, "job_id", r.jobId);
      field(g, "error_code", r.errorCode);
      field(g, "error_msg", r.errorMessage);
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return w.toString();
  }

  private static void field(JsonGenerator g, String name, String value) throws IOException {
    if (value != null) {
      g.writeStringField(name, value);
    }
  }
}
