package io.github.cphsdk.internal.jobs;

import io.github.cphsdk.CloudPhoneTransportException;
import io.github.cphsdk.internal.Endpoints;
import io.github.cphsdk.internal.Futures;
import io.github.cphsdk.internal.PercentEncoding;
import io.github.cphsdk.internal.call.CallPipeline;
import io.github.cphsdk.internal.call.Operation;
import io.github.cphsdk.internal.json.Json;
import io.github.cphsdk.model.Job;
import io.github.cphsdk.model.JobList;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.IntFunction;

/**
 * Reads every page of "list jobs": {@code offset} 0, 100, 200... with {@code limit} 100 until a page is short,
 * or brings no job id not seen before (a service that ignores {@code offset} cannot loop us forever).
 */
public final class JobPaging {
  /** Jobs asked for per page: the API's maximum. */
  public static final int PAGE_SIZE = 100;
  /** At most this many request ids per list call (the API's limit for {@code request_ids}). */
  public static final int MAX_REQUEST_IDS = 20;
  /** A bound on pages of one listing: 100,000 jobs, far beyond 20 pushes of 100 servers. */
  static final int MAX_PAGES = 1000;

  private JobPaging() {}

  /**
   * The query of one page: {@code request_id=..} for one id, {@code request_ids=a,b} for several; values
   * percent-encoded (RFC 3986; the comma separating ids is encoded too).
   */
  public static String query(List<String> requestIds, int offset, int limit) {
    StringBuilder q = new StringBuilder();
    if (requestIds.size() == 1) {
      q.append("request_id=").append(PercentEncoding.encode(requestIds.get(0)));
    } else {
      q.append("request_ids=").append(PercentEncoding.encode(String.join(",", requestIds)));
    }
    return q.append("&offset=").append(offset).append("&limit=").append(limit).toString();
  }

  /** Checks one request id for a query: 1 to 128 printable ASCII characters, no space, no comma. */
  public static String checkRequestId(String field, String requestId) {
    if (requestId == null) {
      throw new IllegalArgumentException(field + " is required");
    }
    if (requestId.isEmpty() || requestId.length() > 128) {
      throw new IllegalArgumentException(field + " must be 1 to 128 characters, got " + requestId.length());
    }
    for (int i = 0; i < requestId.length(); i++) {
      char c = requestId.charAt(i);
      if (c <= 0x20 || c >= 0x7f || c == ',') {
        throw new IllegalArgumentException(field + " must be printable ASCII without spaces or commas (bad character "
            + "at index " + i + "), got \"" + Endpoints.shorten(requestId) + "\"");
      }
    }
    return requestId;
  }

  /** Every page, read one after the other on the calling thread. */
  public static JobList all(CallPipeline pipeline, IntFunction<Operation<JobList>> pageAt) {
    Pages pages = new Pages();
    while (pages.add(pipeline.execute(pageAt.apply(pages.nextOffset())))) {
      // next page
    }
    return pages.joined();
  }

  /** Every page, each asked for when the one before has been read. */
  public static CompletableFuture<JobList> allAsync(CallPipeline pipeline, IntFunction<Operation<JobList>> pageAt) {
    return next(pipeline, pageAt, new Pages());
  }

  private static CompletableFuture<JobList> next(CallPipeline pipeline, IntFunction<Operation<JobList>> pageAt,
      Pages pages) {
    Operation<JobList> op;
    try {
      op = pageAt.apply(pages.nextOffset());
    } catch (RuntimeException e) {
      return Futures.failed(e);
    }
    return pipeline.executeAsync(op).thenCompose(page -> pages.add(page)
        ? next(pipeline, pageAt, pages)
        : CompletableFuture.completedFuture(pages.joined()));
  }

  /** The pages read so far; decides whether another one is needed. */
  private static final class Pages {
    private final List<JobList> pages = new ArrayList<>();
    private final Set<String> seen = new HashSet<>();
    private int offset;

    int nextOffset() {
      return offset;
    }

    /** Adds a page; true when the next one must be read. */
    synchronized boolean add(JobList page) {
      pages.add(page);
      boolean anyNew = false;
      for (Job j : page.jobs()) {
        anyNew |= j.jobId().isEmpty() || seen.add(j.jobId());
      }
      offset += page.jobs().size();
      if (page.jobs().size() < PAGE_SIZE || !anyNew) {
        return false;
      }
      if (pages.size() >= MAX_PAGES) {
        throw new CloudPhoneTransportException("list jobs: the service kept answering full pages; stopped after "
            + MAX_PAGES + " pages (" + offset + " jobs)", null, false, pages.size());
      }
      return true;
    }

    synchronized JobList joined() {
      return Json.join(pages);
    }
  }
}
