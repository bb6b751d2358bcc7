package io.github.cphsdk.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ShareAppsRequestTest {
  static final String SERVER_A = "1234567b8bab40ffb711234cb80d0234";
  static final String SERVER_B = "1678567b8bab40f93711234cb80d0764";

  static ShareAppsRequest.Builder valid() {
    return ShareAppsRequest.builder()
        .packageName("com.miniteck.miniworld")
        .bucketName("bucket")
        .objectPath("my_apps/test.tar")
        .addServerIds(SERVER_A, SERVER_B);
  }

  static IllegalArgumentException invalid(Consumer<ShareAppsRequest.Builder> change) {
    ShareAppsRequest.Builder b = valid();
    change.accept(b);
    return assertThrows(IllegalArgumentException.class, b::build);
  }

  @Test
  void validRequestKeepsEveryField() {
    ShareAppsRequest r = valid().preInstallApp(true).build();
    assertEquals("com.miniteck.miniworld", r.packageName());
    assertEquals("bucket", r.bucketName());
    assertEquals("my_apps/test.tar", r.objectPath());
    assertEquals(Optional.of(true), r.preInstallApp());
    assertEquals(List.of(SERVER_A, SERVER_B), r.serverIds());
    assertEquals(Optional.empty(), valid().build().preInstallApp());
  }

  @Test
  void missingRequiredFieldsNameTheJsonField() {
    assertEquals("package_name is required",
        assertThrows(IllegalArgumentException.class, () -> ShareAppsRequest.builder().bucketName("bucket")
            .objectPath("a.tar").addServerIds(SERVER_A).build()).getMessage());
    assertEquals("bucket_name is required",
        assertThrows(IllegalArgumentException.class, () -> ShareAppsRequest.builder().packageName("a.b")
            .objectPath("a.tar").addServerIds(SERVER_A).build()).getMessage());
    assertEquals("object_path is required",
        assertThrows(IllegalArgumentException.class, () -> ShareAppsRequest.builder().packageName("a.b")
            .bucketName("bucket").addServerIds(SERVER_A).build()).getMessage());
    assertTrue(assertThrows(IllegalArgumentException.class, () -> ShareAppsRequest.builder().packageName("a.b")
        .bucketName("bucket").objectPath("a.tar").build()).getMessage().startsWith("server_ids is required"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"a.b", "com.example.game", "Com.Example_1.x9", "a_.b_"})
  void packageNameAccepted(String name) {
    assertEquals(name, valid().packageName(name).build().packageName());
  }

  @Test
  void packageNameRules() {
    assertMessage(invalid(b -> b.packageName("com")), "package_name must have at least two segments", "\"com\"");
    assertMessage(invalid(b -> b.packageName("com.example.")), "package_name must not end with '.'");
    assertMessage(invalid(b -> b.packageName("com.1example")), "package_name every segment must start with a letter");
    assertMessage(invalid(b -> b.packageName(".com.example")), "package_name every segment must start with a letter");
    assertMessage(invalid(b -> b.packageName("com..example")), "package_name every segment must start with a letter");
    assertMessage(invalid(b -> b.packageName("com.exa-mple")), "package_name may contain only letters, digits",
        "index 7");
    assertMessage(invalid(b -> b.packageName("com.ex ample")), "package_name may contain only");
    assertMessage(invalid(b -> b.packageName("com.examplé")), "package_name may contain only");
    String longest = "a." + "b".repeat(126);
    assertEquals(128, valid().packageName(longest).build().packageName().length());
    assertMessage(invalid(b -> b.packageName(longest + "c")), "package_name must be at most 128 characters (got 129)");
  }

  @ParameterizedTest
  @ValueSource(strings = {"abc", "my-bucket", "my.bucket.01", "0bucket9", "a23456789012345678901234567890123456789012345678901234567890123"})
  void bucketNameAccepted(String name) {
    assertEquals(name, valid().bucketName(name).build().bucketName());
  }

  @Test
  void bucketNameRules() {
    assertMessage(invalid(b -> b.bucketName("ab")), "bucket_name must be 3 to 63 characters (got 2)");
    assertMessage(invalid(b -> b.bucketName("a".repeat(64))), "bucket_name must be 3 to 63 characters (got 64)");
    assertMessage(invalid(b -> b.bucketName("My-bucket")), "bucket_name may contain only lowercase letters");
    assertMessage(invalid(b -> b.bucketName("my_bucket")), "bucket_name may contain only lowercase letters");
    assertMessage(invalid(b -> b.bucketName("-bucket")), "bucket_name must start and end with a lowercase letter or digit");
    assertMessage(invalid(b -> b.bucketName("bucket.")), "bucket_name must start and end");
    assertMessage(invalid(b -> b.bucketName("my..bucket")), "bucket_name must not contain \"..\"");
    assertMessage(invalid(b -> b.bucketName("my-.bucket")), "bucket_name must not contain");
    assertMessage(invalid(b -> b.bucketName("my.-bucket")), "bucket_name must not contain");
    assertMessage(invalid(b -> b.bucketName("192.168.1.10")), "bucket_name must not be shaped like an IP address");
  }

  @ParameterizedTest
  @ValueSource(strings = {"a.tar", "my_apps/test.tar", "A-Z/a+b#c=d/x_y.tar", "deep/er/path/app.v2.tar"})
  void objectPathAccepted(String path) {
    assertEquals(path, valid().objectPath(path).build().objectPath());
  }

  @Test
  void objectPathRules() {
    assertMessage(invalid(b -> b.objectPath("apps/game.zip")), "object_path must name a .tar file");
    assertMessage(invalid(b -> b.objectPath("apps/.tar")), "object_path must name a .tar file");
    assertMessage(invalid(b -> b.objectPath("apps/game.TAR")), "object_path must name a .tar file");
    assertMessage(invalid(b -> b.objectPath("apps/my game.tar")), "object_path may contain only A-Z a-z 0-9",
        "index 7");
    assertMessage(invalid(b -> b.objectPath("apps/%2e.tar")), "object_path may contain only");
    assertMessage(invalid(b -> b.objectPath("apps/\u0000.tar")), "object_path may contain only", "\\u0000");
    String longest = "a".repeat(1020) + ".tar";
    assertEquals(1024, valid().objectPath(longest).build().objectPath().length());
    IllegalArgumentException tooLong = invalid(b -> b.objectPath("a" + longest));
    assertMessage(tooLong, "object_path must be at most 1024 characters (got 1025)", "...(1025 chars)");
  }

  @Test
  void everyMissingFieldIsNamedAtOnce() {
    assertMessage(assertThrows(IllegalArgumentException.class, () -> ShareAppsRequest.builder().objectPath("a.tar")
        .build()), "package_name, bucket_name and server_ids are required; none was given");
    assertMessage(assertThrows(IllegalArgumentException.class, () -> ShareAppsRequest.builder().build()),
        "package_name, bucket_name, object_path and server_ids are required; none was given");
    assertMessage(assertThrows(IllegalArgumentException.class, () -> DeleteShareAppsRequest.builder().build()),
        "package_name and server_ids are required; none was given");
    assertMessage(assertThrows(IllegalArgumentException.class, () -> ShareAppsRequest.builder().packageName("a.b")
        .objectPath("a.tar").addServerIds(SERVER_A).build()), "bucket_name is required");
  }

  /**
   * The builder methods a user calls are declared (with their rules in the javadoc) by the public builders
   * themselves, not inherited from the generated package-private class, whose javadoc users cannot see.
   */
  @Test
  void theBuildersDeclareTheMethodsUsersCall() {
    for (Class<?> builder : List.of(ShareAppsRequest.Builder.class, DeleteShareAppsRequest.Builder.class,
        ShareAppsResponse.Builder.class, ServerJob.Builder.class, Job.Builder.class, JobList.Builder.class,
        BatchOutcome.Builder.class, ServerOutcome.Builder.class, JobReport.Builder.class,
        ServerProgress.Builder.class)) {
      java.util.Set<String> declared = new java.util.TreeSet<>();
      for (java.lang.reflect.Method m : builder.getDeclaredMethods()) {
        if (java.lang.reflect.Modifier.isPublic(m.getModifiers())) {
          declared.add(m.getName());
        }
      }
      for (java.lang.reflect.Method m : builder.getMethods()) {
        if (m.getDeclaringClass() != Object.class) {
          assertTrue(declared.contains(m.getName()), builder.getName() + " does not declare " + m);
          assertEquals(builder, m.getDeclaringClass(), m.toString());
          assertTrue(java.lang.reflect.Modifier.isPublic(m.getDeclaringClass().getModifiers()), m.toString());
        }
      }
      assertTrue(declared.containsAll(List.of("from", "build")), declared.toString());
    }
  }

  @Test
  void serverIdRules() {
    assertMessage(assertThrows(IllegalArgumentException.class, () -> ShareAppsRequest.builder()
        .packageName("a.b").bucketName("bucket").objectPath("a.tar").serverIds(List.of()).build()),
        "server_ids is required: give at least one server id");
    assertMessage(invalid(b -> b.addServerIds("")), "server_ids[2] must not be empty");
    assertMessage(invalid(b -> b.addServerIds("   ")), "server_ids[2] must not be blank");
    assertMessage(invalid(b -> b.addServerIds("abc def" + "0".repeat(25))),
        "server_ids[2] must be a server id: 32 letters or digits (bad character at index 3)");
    assertMessage(invalid(b -> b.addServerIds("abc\r\nX-Evil: 1" + "0".repeat(18))),
        "server_ids[2] must be a server id: 32 letters or digits (bad character at index 3)");
    // passed the old rule (printable, at most 64) and was rejected per server inside a 200 (CPS.0016)
    assertMessage(invalid(b -> b.addServerIds("not-an-id")),
        "server_ids[2] must be a server id: 32 letters or digits (got 9 characters)", "\"not-an-id\"");
    assertMessage(invalid(b -> b.addServerIds("1234567b-8bab-40ff-b711-234cb80d02")),
        "server_ids[2] must be a server id: 32 letters or digits (got 34 characters)");
    assertMessage(invalid(b -> b.addServerIds("1234567b8bab40ffb711234cb80d023")), "(got 31 characters)");
    assertMessage(invalid(b -> b.addServerIds(SERVER_A)), "server_ids[2] must not repeat a server id", SERVER_A);
    assertMessage(invalid(b -> b.addServerIds("x".repeat(65))), "server_ids[2] must be a server id: 32 letters or digits (got 65 characters)");
    assertMessage(invalid(b -> b.addServerIds((String) null)), "server_ids[2] must not be null");
  }

  /** Up to 8 ids are compared pairwise, more through a set: a repeat is found, and named, the same way in both. */
  @ParameterizedTest
  @ValueSource(ints = {2, 7, 8, 9, 20, 100})
  void aRepeatedServerIdIsFoundInShortAndLongLists(int count) {
    List<String> ids = new java.util.ArrayList<>();
    for (int i = 0; i < count; i++) {
      ids.add(String.format("%032x", i + 1));
    }
    assertEquals(count, valid().serverIds(ids).build().serverIds().size(), "distinct ids pass");
    for (int repeatAt : new int[] {1, count - 1, count}) {
      List<String> withRepeat = new java.util.ArrayList<>(ids);
      withRepeat.add(repeatAt, ids.get(repeatAt - 1)); // right after the first one
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> valid().serverIds(withRepeat).build());
      assertEquals("server_ids[" + repeatAt + "] must not repeat a server id given earlier in the list, got \""
          + ids.get(repeatAt - 1) + "\"", e.getMessage());
    }
    List<String> firstAgainAtTheEnd = new java.util.ArrayList<>(ids);
    firstAgainAtTheEnd.add(ids.get(0));
    assertMessage(assertThrows(IllegalArgumentException.class, () -> valid().serverIds(firstAgainAtTheEnd).build()),
        "server_ids[" + count + "] must not repeat");
  }

  @Test
  void onlyNamesOfDigitsAndDotsCanBeShapedLikeAnIpAddress() {
    for (String ip : List.of("192.168.1.10", "1.2.3.4", "255.255.255.255", "999.999.999.999")) {
      assertEquals("bucket_name must not be shaped like an IP address, got \"" + ip + "\"",
          invalid(b -> b.bucketName(ip)).getMessage());
    }
    for (String fine : List.of("192.168.1.10a", "a192.168.1.10", "1.2.3", "1.2.3.4.5", "1234.2.3.4", "192-168.1.10",
        "10.0.0.1x")) {
      assertEquals(fine, valid().bucketName(fine).build().bucketName());
    }
  }

  @Test
  void theSegmentThatDoesNotStartWithALetterIsNamed() {
    assertEquals("package_name every segment must start with a letter (segment \"1example\"), got \"com.1example\"",
        invalid(b -> b.packageName("com.1example")).getMessage());
    assertEquals("package_name every segment must start with a letter (segment \"\"), got \"com..example\"",
        invalid(b -> b.packageName("com..example")).getMessage());
    assertEquals("package_name every segment must start with a letter (segment \"\"), got \".com\"",
        invalid(b -> b.packageName(".com")).getMessage());
    assertEquals("package_name every segment must start with a letter (segment \"_x\"), got \"a._x.b\"",
        invalid(b -> b.packageName("a._x.b")).getMessage());
    assertEquals("a.b_.c9", valid().packageName("a.b_.c9").build().packageName());
  }

  @Test
  void toStringShowsFieldsAndGeneratedNamesStayHidden() {
    ShareAppsRequest r = valid().build();
    assertTrue(r.toString().startsWith("ShareAppsRequest{"), r.toString());
    assertTrue(r.toString().contains("packageName=com.miniteck.miniworld"));
    // the builder users hold is the public, documented ShareAppsRequest.Builder; the generated class that
    // implements it sits in a package-private class no user can name
    Object builder = ShareAppsRequest.builder();
    assertTrue(builder instanceof ShareAppsRequest.Builder);
    assertFalse(java.lang.reflect.Modifier.isPublic(builder.getClass().getEnclosingClass().getModifiers()));
    assertFalse(r.toString().contains("Immutable"), r.toString());
  }

  @Test
  void serverJobAcceptedOnlyWithJobAndNoError() {
    assertTrue(ServerJob.builder().serverId("s").jobId("j").build().accepted());
    assertFalse(ServerJob.builder().serverId("s").build().accepted());
    assertFalse(ServerJob.builder().serverId("s").jobId("j").errorCode("CPS.0016").build().accepted());
    ShareAppsResponse response = ShareAppsResponse.builder().requestId("r")
        .addJobs(ServerJob.builder().serverId("a").jobId("j").build())
        .addJobs(ServerJob.builder().serverId("b").errorCode("CPS.0016").errorMsg("invalid server").build())
        .build();
    assertEquals(List.of("a"), response.accepted().stream().map(ServerJob::serverId).collect(java.util.stream.Collectors.toList()));
    assertEquals(List.of("b"), response.rejected().stream().map(ServerJob::serverId).collect(java.util.stream.Collectors.toList()));
    assertFalse(response.allAccepted());
  }

  private static void assertMessage(IllegalArgumentException e, String... parts) {
    for (String part : parts) {
      assertTrue(e.getMessage().contains(part), () -> "message \"" + e.getMessage() + "\" lacks \"" + part + "\"");
    }
  }
}
