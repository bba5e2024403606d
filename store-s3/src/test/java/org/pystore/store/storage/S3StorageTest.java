package org.pystore.store.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pystore.store.s3.S3Proxy;
import org.pystore.store.s3.S3Settings;
import org.pystore.store.s3.S3Storage;

/** The storage contract against S3Proxy, a real S3 server; and what the store refuses. */
class S3StorageTest extends StorageContract {
  static final String BUCKET = "contract";
  @TempDir static Path dir;
  static S3Proxy proxy;
  private final List<S3Storage> opened = new ArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    proxy = S3Proxy.start(dir, BUCKET);
  }

  @AfterAll
  static void stop() {
    if (proxy != null) {
      proxy.close();
    }
  }

  @AfterEach
  void closeClients() {
    opened.forEach(S3Storage::close);
  }

  @Override
  protected Storage storage() throws Exception {
    S3Storage s = S3Storage.open("s3://" + BUCKET + "/t-" + UUID.randomUUID(), proxy.s3Settings());
    opened.add(s);
    return s;
  }

  @Test
  void aMissingBucketIsNamedAndNeverCreated() {
    assertThatThrownBy(() -> S3Storage.open("s3://no-such-bucket/p", proxy.s3Settings()))
        .hasMessageContaining("bucket 'no-such-bucket' does not exist")
        .hasMessageContaining("never creates buckets");
    assertThat(proxy.baseDir().resolve("no-such-bucket")).doesNotExist();
  }

  @Test
  void wrongCredentialsSayWhatToCheck() {
    assertThatThrownBy(
            () ->
                S3Storage.open(
                    "s3://" + BUCKET + "/p", proxy.s3Settings().withCredentials("nobody", "wrong")))
        .hasMessageContaining("denied")
        .hasMessageContaining("credentials");
  }

  @Test
  void locationsAreParsedAndDescribed() throws Exception {
    S3Storage s = S3Storage.open("s3://" + BUCKET + "//deep/prefix/", proxy.s3Settings());
    opened.add(s);
    assertThat(s.describe("")).isEqualTo("s3://" + BUCKET + "/deep/prefix");
    assertThat(s.describe("c/i")).isEqualTo("s3://" + BUCKET + "/deep/prefix/c/i");
    s.replace("c/i/f", new byte[] {1});
    assertThat(proxy.baseDir().resolve(BUCKET).resolve("deep/prefix/c/i/f")).exists();
    assertThatThrownBy(() -> S3Storage.open("s3:///p", proxy.s3Settings()))
        .hasMessageContaining("names no bucket");
  }

  /**
   * A server that answers every PutObject with 200, whatever {@code If-None-Match} says, as some
   * S3-compatible servers do: the store must refuse it.
   */
  @Test
  void aServerThatOverwritesOnConditionalWritesIsRefused() throws Exception {
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext(
        "/",
        ex -> {
          ex.getRequestBody().readAllBytes();
          ex.getResponseHeaders().add("ETag", "\"0\"");
          ex.sendResponseHeaders(ex.getRequestMethod().equals("DELETE") ? 204 : 200, -1);
          ex.close();
        });
    server.start();
    try {
      S3Settings s =
          S3Settings.defaults()
              .with("http://127.0.0.1:" + server.getAddress().getPort(), "us-east-1", true)
              .withCredentials("a", "b");
      assertThatThrownBy(() -> S3Storage.open("s3://any/p", s))
          .hasMessageContaining("accepted a second PutObject with If-None-Match")
          .hasMessageContaining("refuses");
    } finally {
      server.stop(0);
    }
  }
}
