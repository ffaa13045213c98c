package dev.messagelake.realtime;

import dev.messagelake.cli.JobFailed;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PDone;
import org.apache.beam.sdk.values.Row;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The count rows upserted into the database in batches ({@link MessageCountsTable#UPSERT}), waiting
 * out a database that went away for up to {@code --databaseOutageSeconds}. Not JdbcIO's write: its
 * retry covers deadlocks only (SQLState 40001) and keeps the connection the server closed, so a
 * restarted PostgreSQL fails the pipeline. The upsert is idempotent, so a batch written again after
 * a lost connection changes nothing it had already written.
 */
class UpsertCounts extends PTransform<PCollection<Row>, PDone> {
  private final MessageCountsTable.Database database;
  private final int outageSeconds;

  UpsertCounts(RealtimeJob.Options options) {
    this.database = MessageCountsTable.Database.of(options);
    this.outageSeconds = options.getDatabaseOutageSeconds();
  }

  @Override
  public PDone expand(PCollection<Row> counts) {
    counts.apply("Upsert", ParDo.of(new UpsertFn(database, outageSeconds)));
    return PDone.in(counts.getPipeline());
  }

  /** True for a server or connection that went away, false for an error of the statement. */
  static boolean connectionLost(SQLException e) {
    String state = e.getSQLState();
    // 08: connection exceptions; 57P01-03: the server shutting down or starting up
    return state != null && (state.startsWith("08") || state.startsWith("57P"));
  }

  static class UpsertFn extends DoFn<Row, Void> {
    private static final Logger LOG = LoggerFactory.getLogger(UpsertFn.class);
    private static final int BATCH = 1000;
    // per JVM: every instance's writes meet the same outage, and it is said once
    private static final AtomicLong AWAY_SINCE = new AtomicLong(-1);

    private final MessageCountsTable.Database database;
    private final long outageMillis;
    private transient Connection connection;
    private transient List<Row> batch;

    UpsertFn(MessageCountsTable.Database database, int outageSeconds) {
      this.database = database;
      this.outageMillis = outageSeconds * 1000L;
    }

    @StartBundle
    public void startBundle() {
      batch = new ArrayList<>();
    }

    @ProcessElement
    public void processElement(@Element Row count) throws Exception {
      batch.add(count);
      if (batch.size() >= BATCH) {
        flush();
      }
    }

    @FinishBundle
    public void finishBundle() throws Exception {
      flush();
    }

    @Teardown
    public void teardown() {
      closeConnection();
    }

    private void flush() throws Exception {
      long backoffMillis = 500;
      while (!batch.isEmpty()) {
        try {
          write();
          batch.clear();
          long since = AWAY_SINCE.getAndSet(-1);
          if (since >= 0) {
            LOG.info(
                "realtime: the database at {} is back after {} s; writing the counts again",
                database.url,
                (System.currentTimeMillis() - since) / 1000);
          }
        } catch (SQLException e) {
          closeConnection();
          if (!connectionLost(e)) {
            throw new JobFailed(
                "cannot write the counts into " + database.url + ": " + e.getMessage());
          }
          long now = System.currentTimeMillis();
          if (AWAY_SINCE.compareAndSet(-1, now)) {
            LOG.warn(
                "realtime: lost the database at {} ({}); retrying its upserts until it is back,"
                    + " for at most {} s (--databaseOutageSeconds)",
                database.url,
                e.getMessage(),
                outageMillis / 1000);
          }
          long since = AWAY_SINCE.get();
          if (since >= 0 && now - since > outageMillis) {
            throw new JobFailed(
                "the database at "
                    + database.url
                    + " has been away for over --databaseOutageSeconds="
                    + outageMillis / 1000
                    + "; stopped with nothing lost: run realtime again once it is back (it counts"
                    + " the replayed windows again)");
          }
          Thread.sleep(backoffMillis);
          backoffMillis = Math.min(5_000, backoffMillis * 2);
        }
      }
    }

    private void write() throws SQLException {
      if (connection == null) {
        connection = database.connect();
        connection.setAutoCommit(false);
      }
      try (PreparedStatement statement = connection.prepareStatement(MessageCountsTable.UPSERT)) {
        for (Row row : batch) {
          MessageCountsTable.setParameters(row, statement);
          statement.addBatch();
        }
        statement.executeBatch();
        connection.commit();
      }
    }

    private void closeConnection() {
      if (connection != null) {
        try {
          connection.close();
        } catch (SQLException ignored) {
          // the server is gone: nothing to close
        }
        connection = null;
      }
    }
  }
}
