package io.github.cphsdk.cli;

import io.github.cphsdk.CloudPhoneClient;
import io.github.cphsdk.model.BatchOutcome;
import io.github.cphsdk.model.DeleteShareAppsRequest;
import io.github.cphsdk.model.ServerOutcome;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code cph delete}: removes a shared app from servers, in batches. */
@Command(name = "delete", mixinStandardHelpOptions = true, description = {"Delete a shared app from servers (the "
    + "app must be uninstalled from their phones first), in batches. Exit 0 when every server got a job."})
final class DeleteCommand implements Callable<Integer> {
  private final Cph.Io io;

  @Mixin
  Options.Connection connection = new Options.Connection();
  @Mixin
  Options.Servers servers = new Options.Servers();
  @Mixin
  Output.Format output = new Output.Format();

  @Option(names = "--package", paramLabel = "NAME", description = "Android package name (env CPH_PACKAGE)")
  String packageName;

  @Option(names = "--dry-run", description = "validate and print the batches, send nothing")
  boolean dryRun;

  DeleteCommand(Cph.Io io) {
    this.io = io;
  }

  @Override
  public Integer call() {
    boolean json = output.json();
    List<String> ids = servers.read(io, true);
    String p = Options.first(packageName, io.env.get("CPH_PACKAGE"));
    if (p == null) {
      throw new Cph.InputException("missing settings: --package (CPH_PACKAGE)");
    }
    DeleteShareAppsRequest request = DeleteShareAppsRequest.builder().packageName(p).serverIds(ids).build();
    try (CloudPhoneClient client = connection.client(io)) {
      if (dryRun) {
        DryRun.batches(io.out, ids, 20);
        return Cph.OK;
      }
      BatchOutcome outcome = client.deleteShareAppsInBatches(request);
      Cph.checkRefused(outcome);
      Output.print(io.out, Output.rows(outcome.servers(), null), json);
      return outcome.servers().stream().allMatch(s -> s.result() == ServerOutcome.Result.ACCEPTED) ? Cph.OK
          : Cph.SOME_FAILED;
    }
  }
}
