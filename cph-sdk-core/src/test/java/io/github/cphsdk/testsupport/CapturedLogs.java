package io.github.cphsdk.testsupport;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.slf4j.ILoggerFactory;
import org.slf4j.IMarkerFactory;
import org.slf4j.Logger;
import org.slf4j.Marker;
import org.slf4j.event.Level;
import org.slf4j.helpers.AbstractLogger;
import org.slf4j.helpers.BasicMarkerFactory;
import org.slf4j.helpers.MessageFormatter;
import org.slf4j.helpers.NOPMDCAdapter;
import org.slf4j.spi.MDCAdapter;
import org.slf4j.spi.SLF4JServiceProvider;

/**
 * An slf4j provider for tests: every logger is enabled at TRACE and every line (with its throwable's
 * messages) is kept, so tests can assert on what the SDK logs and, above all, on what it never logs.
 */
public final class CapturedLogs implements SLF4JServiceProvider {
  private static final List<String> LINES = Collections.synchronizedList(new ArrayList<>());
  private static volatile boolean enabled = true;

  private final ConcurrentMap<String, Logger> loggers = new ConcurrentHashMap<>();
  private final IMarkerFactory markers = new BasicMarkerFactory();
  private final MDCAdapter mdc = new NOPMDCAdapter();

  /** A copy of every captured line: "LEVEL logger message | throwable messages". */
  public static List<String> lines() {
    synchronized (LINES) {
      return new ArrayList<>(LINES);
    }
  }

  /**
   * Turns capturing on (the default: every level enabled) or off (every level disabled, as in a
   * production setup at INFO or above without SDK lines): for load tests, which must not fill the heap with
   * log lines.
   */
  public static void enabled(boolean on) {
    enabled = on;
  }

  /** Forgets what was captured so far. */
  public static void clear() {
    LINES.clear();
  }

  @Override
  public ILoggerFactory getLoggerFactory() {
    return name -> loggers.computeIfAbsent(name, Capturing::new);
  }

  @Override
  public IMarkerFactory getMarkerFactory() {
    return markers;
  }

  @Override
  public MDCAdapter getMDCAdapter() {
    return mdc;
  }

  @Override
  public String getRequestedApiVersion() {
    return "2.0.99";
  }

  @Override
  public void initialize() {}

  private static final class Capturing extends AbstractLogger {
    private static final long serialVersionUID = 1L;

    Capturing(String name) {
      this.name = name;
    }

    @Override
    protected String getFullyQualifiedCallerName() {
      return null;
    }

    @Override
    protected void handleNormalizedLoggingCall(Level level, Marker marker, String pattern, Object[] args,
        Throwable throwable) {
      if (!enabled) {
        return;
      }
      StringBuilder line = new StringBuilder(level.name()).append(' ').append(name).append(' ')
          .append(MessageFormatter.basicArrayFormat(pattern, args));
      for (Throwable t = throwable; t != null; t = t.getCause()) {
        line.append(" | ").append(t);
      }
      LINES.add(line.toString());
    }

    @Override
    public boolean isTraceEnabled() {
      return enabled;
    }

    @Override
    public boolean isTraceEnabled(Marker marker) {
      return enabled;
    }

    @Override
    public boolean isDebugEnabled() {
      return enabled;
    }

    @Override
    public boolean isDebugEnabled(Marker marker) {
      return enabled;
    }

    @Override
    public boolean isInfoEnabled() {
      return enabled;
    }

    @Override
    public boolean isInfoEnabled(Marker marker) {
      return enabled;
    }

    @Override
    public boolean isWarnEnabled() {
      return enabled;
    }

    @Override
    public boolean isWarnEnabled(Marker marker) {
      return enabled;
    }

    @Override
    public boolean isErrorEnabled() {
      return enabled;
    }

    @Override
    public boolean isErrorEnabled(Marker marker) {
      return enabled;
    }
  }
}
