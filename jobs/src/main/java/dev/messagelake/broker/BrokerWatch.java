package dev.messagelake.broker;

import dev.messagelake.cli.JobFailed;
import dev.messagelake.cli.UserError;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.beam.runners.direct.DirectOptions;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.joda.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A job's watch on its broker while it runs: a daemon thread asks the broker for its cluster every
 * {@link #PROBE_MILLIS}, so a broker that went away is said in one line (and once more when it is
 * back), and a job gives up with one line after {@code --kafkaOutageSeconds}. Kafka's clients
 * reconnect by themselves and say so at every attempt (silenced in log4j2.properties); what they
 * cannot do is tell the job, whose sends fail after {@code max.block.ms} and whose unbounded reads
 * just stop receiving.
 */
public final class BrokerWatch implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(BrokerWatch.class);
  static final long PROBE_MILLIS = 2_000;
  private static final long PROBE_TIMEOUT_MILLIS = 5_000;

  private final String job;
  private final String servers;
  private final long limitMillis;
  private final KafkaTopics topics;
  private final ScheduledExecutorService probes;
  private final Object state = new Object();
  private long awaySinceMillis = -1; // -1: reachable at the last probe
  private long outagesEnded; // how many outages have ended, so a step can tell it met one

  private BrokerWatch(String job, KafkaOptions options) {
    this.job = job;
    this.servers = options.getKafkaBootstrapServers();
    this.limitMillis = options.getKafkaOutageSeconds() * 1000L;
    this.topics = KafkaTopics.connect(options);
    this.probes =
        Executors.newSingleThreadScheduledExecutor(
            task -> {
              Thread thread = new Thread(task, "broker-watch");
              thread.setDaemon(true);
              return thread;
            });
    probes.scheduleWithFixedDelay(this::probe, PROBE_MILLIS, PROBE_MILLIS, TimeUnit.MILLISECONDS);
  }

  /** Watches the broker of {@code options} for {@code job} until closed. */
  public static BrokerWatch start(String job, KafkaOptions options) {
    UserError.requireAtLeast("--kafkaOutageSeconds", options.getKafkaOutageSeconds(), 1);
    return new BrokerWatch(job, options);
  }

  /** Asks the broker now; says it once when it goes away and once when it is back. */
  private boolean probe() {
    // a probe's own timeout is longer than its period: a first connection from a JVM still
    // starting takes seconds on a busy machine, and that is no outage
    String failure = topics.unreachable(java.time.Duration.ofMillis(PROBE_TIMEOUT_MILLIS));
    long now = System.currentTimeMillis();
    synchronized (state) {
      if (failure == null && awaySinceMillis >= 0) {
        LOG.info(
            "{}: the Kafka broker at {} is back after {} s; going on",
            job,
            servers,
            (now - awaySinceMillis) / 1000);
        awaySinceMillis = -1;
        outagesEnded++;
      } else if (failure != null && awaySinceMillis < 0) {
        awaySinceMillis = now;
        LOG.warn(
            "{}: lost the Kafka broker at {} ({}); retrying until it is back, for at most {} s"
                + " (--kafkaOutageSeconds)",
            job,
            servers,
            failure,
            limitMillis / 1000);
      }
      return failure == null;
    }
  }

  /** Fails the job in one line once the broker has been away for longer than the limit. */
  public void requireBroker() {
    long awayMillis;
    synchronized (state) {
      awayMillis = awaySinceMillis < 0 ? 0 : System.currentTimeMillis() - awaySinceMillis;
    }
    if (awayMillis > limitMillis) {
      throw new JobFailed(
          "the Kafka broker at "
              + servers
              + " has been away for "
              + awayMillis / 1000
              + " s, over --kafkaOutageSeconds="
              + limitMillis / 1000
              + "; stopped with nothing lost: start the broker and run "
              + job
              + " again to continue");
    }
  }

  /**
   * Runs {@code step}; when it fails while the broker is away (or was, during the step), waits for
   * the broker and runs {@code step} again: steps must be safe to repeat. Any other failure is the
   * step's own and is thrown.
   */
  public <T> T retry(Callable<T> step) throws Exception {
    return retry(step, () -> {});
  }

  /** The same, running {@code beforeRepeat} before each repeat (to drop a cut-short attempt). */
  public <T> T retry(Callable<T> step, Runnable beforeRepeat) throws Exception {
    while (true) {
      long outagesBefore;
      synchronized (state) {
        outagesBefore = outagesEnded;
      }
      try {
        return step.call();
      } catch (Exception e) {
        boolean metAnOutage;
        synchronized (state) {
          metAnOutage = outagesEnded > outagesBefore || awaySinceMillis >= 0;
        }
        if (!metAnOutage && probe()) {
          throw e;
        }
        LOG.debug("{}: a step failed while the broker was away; repeating it", job, e);
        awaitBroker();
        beforeRepeat.run();
      }
    }
  }

  /**
   * Runs {@code pipeline}, a bounded one, to its end; cancels it once the broker is away, for
   * {@link #retry} to run it again when the broker is back: a KafkaIO read or write would wait on
   * the broker meanwhile, and the Direct runner polls such a pipeline without pause (a core's worth
   * of CPU for the whole outage). The Direct runner is asked not to block in {@code run()}, or
   * there would be no result to cancel.
   */
  public void run(Pipeline pipeline) throws Exception {
    pipeline.getOptions().as(DirectOptions.class).setBlockOnRun(false);
    PipelineResult result = pipeline.run();
    while (true) {
      PipelineResult.State ended = result.waitUntilFinish(Duration.millis(PROBE_MILLIS));
      if (ended != null && ended.isTerminal()) {
        if (ended != PipelineResult.State.DONE) {
          throw new IllegalStateException("the pipeline ended " + ended);
        }
        return;
      }
      if (brokerAway()) {
        result.cancel();
        throw new IllegalStateException("the broker went away while the pipeline ran");
      }
    }
  }

  /** Whether the broker was away at the last probe. */
  public boolean brokerAway() {
    synchronized (state) {
      return awaySinceMillis >= 0;
    }
  }

  /** Waits for the broker; fails the job in one line once it has been away past the limit. */
  public void awaitBroker() throws InterruptedException {
    while (!probe()) {
      requireBroker();
      Thread.sleep(PROBE_MILLIS);
    }
  }

  @Override
  public void close() {
    probes.shutdownNow();
    topics.close();
  }
}
