package dev.messagelake.flow;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.hasItems;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.messagelake.broker.KafkaBroker;
import dev.messagelake.chaos.JobProcess;
import dev.messagelake.storage.FreePorts;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A full {@code ./run.sh lake --realtime} (publisher, bronze from the topic, silver, the realtime
 * counts and the dashboard in one JVM) with the project's Kafka broker: every socket they listen on
 * is bound to 127.0.0.1, so nothing of the lake is reachable from another machine by default.
 */
class ServersBindLoopbackTest {
  private static final Duration WAIT = Duration.ofMinutes(3);

  @TempDir Path work;

  @Test
  void everyListeningSocketOfALakeWithRealtimeIsOnLoopback() throws Exception {
    try (KafkaBroker broker = KafkaBroker.start(work.resolve("broker"))) {
      int dashboardPort = FreePorts.one();
      JobProcess lake =
          JobProcess.start(
              LakeFlow.class,
              work.resolve("lake"),
              work.resolve("lake.log"),
              "--realtime",
              "--kafkaBootstrapServers=" + broker.bootstrapServers(),
              "--kafkaTopic=sockets",
              "--dashboardPort=" + dashboardPort,
              "--rowsPerSecond=20",
              "--durationSeconds=0",
              "--blockOnRun=false");
      try {
        // every part is up once the dashboard shows events the realtime job counted
        lake.await(() -> countedOnDashboard(dashboardPort) > 0, WAIT);

        Set<Long> pids = new HashSet<>();
        pids.add(lake.pid());
        pids.add(broker.pid());
        for (long pid : List.copyOf(pids)) {
          ProcessHandle.of(pid)
              .ifPresent(p -> p.descendants().forEach(child -> pids.add(child.pid())));
        }
        List<ListeningSockets.Socket> sockets = ListeningSockets.of(pids);
        System.out.println("lake --realtime listens on: " + sockets);
        Set<Integer> ports =
            sockets.stream().map(ListeningSockets.Socket::port).collect(Collectors.toSet());
        int brokerPort = Integer.parseInt(broker.bootstrapServers().replaceAll(".*:", ""));
        assertThat(ports, hasItems(dashboardPort, brokerPort));
        for (ListeningSockets.Socket socket : sockets) {
          assertTrue(socket.loopbackOnly(), "listening beyond 127.0.0.1: " + socket);
        }
      } finally {
        lake.sigterm();
      }
      assertEquals(0, lake.waitFor(WAIT), lake.output());
    }
  }

  /** Valid events the dashboard's JSON reports, 0 while it is not serving yet. */
  private static long countedOnDashboard(int port) {
    try {
      HttpResponse<String> response =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(
                          URI.create("http://127.0.0.1:" + port + "/api/summary?minutes=60"))
                      .timeout(Duration.ofSeconds(5))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() != 200) {
        return 0;
      }
      JsonNode summary = new ObjectMapper().readTree(response.body());
      return summary.path("totals").path("valid").asLong();
    } catch (IOException e) {
      return 0;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 0;
    }
  }
}
