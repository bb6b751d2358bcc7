package io.github.cphsdk.http;

import java.util.concurrent.LinkedTransferQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The one factory of the worker pools the transports own: daemon threads a transport runs its asynchronous
 * exchanges (or, for java.net.http, its client's tasks) on.
 * An exchange goes to an idle thread if there is one, else to a new thread up to the maximum, else it waits in
 * the queue for the first thread to finish (a plain {@link ThreadPoolExecutor} would queue before adding
 * threads beyond its core size). Idle threads end after 30 s; {@code shutdownNow()} stops them and returns
 * the exchanges still waiting; after {@code shutdown()} or {@code shutdownNow()} new tasks are refused with a
 * {@link RejectedExecutionException}. Threads are named by the transport: its prefix and a number.
 */
final class WorkerThreads {
  private WorkerThreads() {}

  /**
   * A new pool; no thread starts until the first task.
   *
   * @param maxThreads the most threads at once
   * @param namePrefix the start of each thread's name, such as {@code cph-sdk-http-}; a number follows
   * @return the pool, which the transport shuts down on close
   */
  static ThreadPoolExecutor newPool(int maxThreads, String namePrefix) {
    AtomicInteger n = new AtomicInteger();
    HandOff queue = new HandOff();
    return new ThreadPoolExecutor(0, maxThreads, 30, TimeUnit.SECONDS, queue, r -> {
      Thread t = new Thread(r, namePrefix + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    }, (task, pool) -> {
      if (pool.isShutdown()) {
        throw new RejectedExecutionException("closed");
      }
      queue.enqueue(task); // every thread is busy: the first to finish takes it
      if (pool.isShutdown() && queue.remove(task)) {
        throw new RejectedExecutionException("closed"); // closed meanwhile: nobody would take it
      }
    });
  }

  /**
   * {@code offer} hands a task only to a thread waiting for one, so the pool starts a new thread (up to its
   * maximum) rather than queueing while threads could be added; past the maximum the pool's rejection
   * handler queues it for real.
   */
  private static final class HandOff extends LinkedTransferQueue<Runnable> {
    private static final long serialVersionUID = 1L;

    @Override
    public boolean offer(Runnable task) {
      return tryTransfer(task);
    }

    void enqueue(Runnable task) {
      super.offer(task);
    }
  }
}
