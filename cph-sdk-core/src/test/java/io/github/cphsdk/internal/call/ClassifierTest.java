package io.github.cphsdk.internal.call;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.cphsdk.http.HttpTransportException.Kind;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Test;

/** The classifier's two tables, read by the pipeline (sync and async) and by the job waiter. */
class ClassifierTest {

  /** Expected {status, category, may have been applied, polling again cannot help}, one row per kind of status. */
  static final Object[][] STATUSES = {
      {429, Failure.Category.THROTTLED, false, false},
      {503, Failure.Category.THROTTLED, false, false},
      {401, Failure.Category.UNAUTHORIZED, false, true},
      {408, Failure.Category.AMBIGUOUS, true, false},
      {500, Failure.Category.AMBIGUOUS, true, false},
      {502, Failure.Category.AMBIGUOUS, true, false},
      {504, Failure.Category.AMBIGUOUS, true, false},
      {501, Failure.Category.FINAL, true, false},
      {505, Failure.Category.FINAL, true, false},
      {301, Failure.Category.FINAL, false, false},
      {307, Failure.Category.FINAL, false, false},
      {400, Failure.Category.FINAL, false, true},
      {403, Failure.Category.FINAL, false, true},
      {404, Failure.Category.FINAL, false, true},
      {409, Failure.Category.FINAL, false, true},
      {499, Failure.Category.FINAL, false, true},
      {101, Failure.Category.FINAL, true, false},
  };

  @Test
  void statusTable() {
    for (Object[] row : STATUSES) {
      int status = (Integer) row[0];
      Classifier.StatusClass c = Classifier.StatusClass.of(status);
      assertEquals(row[1], c.category, "category of " + status);
      assertEquals(row[2], c.mayHaveBeenApplied, "may have been applied after " + status);
      assertEquals(row[3], Classifier.pollingAgainCannotHelp(status), "job waiter stops on " + status);
    }
  }

  @Test
  void requestTimeoutIsAmbiguousForThePipelineAndPolledAgainByTheWaiter() {
    Classifier.StatusClass c = Classifier.StatusClass.of(408);
    assertEquals(Failure.Category.AMBIGUOUS, c.category);
    assertTrue(c.mayHaveBeenApplied);
    assertFalse(Classifier.pollingAgainCannotHelp(408));
  }

  @Test
  void exceptionTable() {
    assertEquals(Kind.CONNECT_FAILED, Classifier.kindOf(new ConnectException("refused")));
    assertEquals(Kind.CONNECT_FAILED, Classifier.kindOf(new UnknownHostException("nohost")));
    assertEquals(Kind.CONNECT_FAILED, Classifier.kindOf(new NoRouteToHostException("route")));
    assertEquals(Kind.TLS_FAILED, Classifier.kindOf(new SSLHandshakeException("untrusted")));
    // not proof that nothing was sent
    assertEquals(Kind.FAILED_AFTER_SEND, Classifier.kindOf(new SSLException("closed")));
    assertEquals(Kind.FAILED_AFTER_SEND, Classifier.kindOf(new SocketTimeoutException("read timed out")));
    assertEquals(Kind.FAILED_AFTER_SEND, Classifier.kindOf(new InterruptedIOException("interrupted")));
    assertEquals(Kind.FAILED_AFTER_SEND, Classifier.kindOf(new IOException("reset")));
    assertEquals(Kind.FAILED_AFTER_SEND, Classifier.kindOf(new IllegalStateException("bug in a transport")));
    for (Kind k : Kind.values()) {
      assertEquals(k, Classifier.kindOf(new io.github.cphsdk.http.HttpTransportException(k, "own", null)));
    }
  }

  @Test
  void kindToCategoryTable() {
    assertEquals(Failure.Category.NOT_SENT, Classifier.categoryOf(Kind.CONNECT_FAILED));
    assertEquals(Failure.Category.NOT_SENT, Classifier.categoryOf(Kind.CONNECT_TIMEOUT));
    assertEquals(Failure.Category.FINAL, Classifier.categoryOf(Kind.TLS_FAILED));
    assertEquals(Failure.Category.AMBIGUOUS, Classifier.categoryOf(Kind.RESPONSE_TIMEOUT));
    assertEquals(Failure.Category.AMBIGUOUS, Classifier.categoryOf(Kind.FAILED_AFTER_SEND));
  }
}
