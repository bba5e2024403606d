package org.pystore.embedded;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.connect.cli.ConnectDistributed;
import org.apache.kafka.connect.runtime.Connect;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real Kafka Connect worker in distributed mode, in-process, its REST API on 127.0.0.1 only, with
 * a small client for that API. Connectors on the classpath are found by service loading.
 */
public final class EmbeddedConnect implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedConnect.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Connect<?> connect;
  private final URI url;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

  private EmbeddedConnect(Connect<?> connect) {
    this.connect = connect;
    URI u = connect.rest().advertisedUrl();
    this.url = URI.create(u.toString().endsWith("/") ? u.toString() : u + "/");
  }

  /**
   * Starts a worker.
   *
   * @param bootstrapServers the Kafka cluster
   * @param overrides worker properties to add or replace
   * @return the running worker
   */
  public static EmbeddedConnect start(String bootstrapServers, Map<String, String> overrides) {
    long t = System.nanoTime();
    String id = UUID.randomUUID().toString().substring(0, 8);
    Map<String, String> p = new HashMap<>();
    p.put("bootstrap.servers", bootstrapServers);
    p.put("group.id", "connect-" + id);
    p.put("listeners", "http://127.0.0.1:0");
    p.put("rest.advertised.host.name", "127.0.0.1");
    p.put("config.storage.topic", "connect-configs-" + id);
    p.put("offset.storage.topic", "connect-offsets-" + id);
    p.put("status.storage.topic", "connect-status-" + id);
    p.put("config.storage.replication.factor", "1");
    p.put("offset.storage.replication.factor", "1");
    p.put("status.storage.replication.factor", "1");
    p.put("key.converter", "org.apache.kafka.connect.storage.StringConverter");
    p.put("value.converter", "org.apache.kafka.connect.json.JsonConverter");
    p.put("value.converter.schemas.enable", "true");
    p.put("offset.flush.interval.ms", "1000");
    p.put("scheduled.rebalance.max.delay.ms", "0");
    p.put("plugin.discovery", "service_load");
    p.putAll(overrides);
    Connect<?> connect = new ConnectDistributed().startConnect(p);
    EmbeddedConnect c = new EmbeddedConnect(connect);
    LOG.info("Connect worker at {} started in {} ms", c.url, (System.nanoTime() - t) / 1_000_000);
    return c;
  }

  /** The REST API's base URL, e.g. {@code http://127.0.0.1:41234/}. */
  public URI url() {
    return url;
  }

  /** Creates or updates a connector. */
  public void putConnector(String name, Map<String, String> config) {
    request("PUT", "connectors/" + name + "/config", config, 200, 201);
  }

  /** Deletes a connector. */
  public void deleteConnector(String name) {
    request("DELETE", "connectors/" + name, null, 204, 200);
  }

  /** Restarts a connector and all its tasks. */
  public void restartConnector(String name) {
    request("POST", "connectors/" + name + "/restart?includeTasks=true", null, 200, 202, 204);
  }

  /** Restarts one task. */
  public void restartTask(String name, int task) {
    request("POST", "connectors/" + name + "/tasks/" + task + "/restart", null, 200, 202, 204);
  }

  /** The connector's status as the REST API returns it, or null when unknown. */
  public JsonNode status(String name) {
    HttpResponse<String> r = send("GET", "connectors/" + name + "/status", null);
    if (r.statusCode() == 404) {
      return null;
    }
    return parse(r);
  }

  /** Validates a connector config: {@code PUT /connector-plugins/<class>/config/validate}. */
  public JsonNode validate(String connectorClass, Map<String, String> config) {
    HttpResponse<String> r =
        send("PUT", "connector-plugins/" + connectorClass + "/config/validate", config);
    return parse(r);
  }

  /**
   * Waits until the connector and exactly {@code tasks} tasks are RUNNING.
   *
   * @param name the connector
   * @param tasks the number of tasks expected
   * @param timeout how long to wait
   */
  public void awaitRunning(String name, int tasks, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    JsonNode last = null;
    while (System.nanoTime() < deadline) {
      last = status(name);
      if (last != null
          && "RUNNING".equals(last.path("connector").path("state").asText())
          && last.path("tasks").size() == tasks) {
        boolean all = true;
        for (JsonNode t : last.path("tasks")) {
          all &= "RUNNING".equals(t.path("state").asText());
        }
        if (all) {
          return;
        }
      }
      TimeUnit.MILLISECONDS.sleep(200);
    }
    throw new IllegalStateException(
        "connector " + name + " not running with " + tasks + " tasks: " + last);
  }

  private void request(String method, String path, Object body, int... ok) {
    HttpResponse<String> r = send(method, path, body);
    for (int code : ok) {
      if (r.statusCode() == code) {
        return;
      }
    }
    throw new IllegalStateException(
        method + " " + path + " answered " + r.statusCode() + ": " + r.body());
  }

  private HttpResponse<String> send(String method, String path, Object body) {
    try {
      HttpRequest.Builder b =
          HttpRequest.newBuilder(url.resolve(path))
              .timeout(Duration.ofSeconds(60))
              .header("Content-Type", "application/json")
              .header("Accept", "application/json");
      b.method(
          method,
          body == null
              ? HttpRequest.BodyPublishers.noBody()
              : HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
      return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new IllegalStateException(method + " " + path + " failed", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  private static JsonNode parse(HttpResponse<String> r) {
    try {
      return JSON.readTree(r.body());
    } catch (IOException e) {
      throw new IllegalStateException("bad JSON from Connect: " + r.body(), e);
    }
  }

  @Override
  public void close() {
    long t = System.nanoTime();
    connect.stop();
    connect.awaitStop();
    LOG.info("Connect worker stopped in {} ms", (System.nanoTime() - t) / 1_000_000);
  }
}
