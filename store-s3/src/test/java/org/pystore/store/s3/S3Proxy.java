package org.pystore.store.s3;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * A real S3 server for tests: S3Proxy over a local directory, started as a child process on
 * 127.0.0.1 (its own classpath keeps its Jetty and Jackson away from ours). A bucket is a directory
 * under {@link #baseDir()}, so tests can read what was written with plain file tools.
 */
public final class S3Proxy implements AutoCloseable {
  public static final String IDENTITY = "pystore-test";
  public static final String CREDENTIAL = "pystore-test-secret";

  private final Process process;
  private final int port;
  private final Path baseDir;
  private final Path log;

  private S3Proxy(Process process, int port, Path baseDir, Path log) {
    this.process = process;
    this.port = port;
    this.baseDir = baseDir;
    this.log = log;
  }

  /** The S3Proxy jar the build copied (store/target/s3proxy/s3proxy.jar). */
  static Path jar() {
    String prop = System.getProperty("pystore.s3proxy.jar");
    if (prop != null) {
      return Path.of(prop);
    }
    for (Path p :
        List.of(
            Path.of("target/s3proxy/s3proxy.jar"),
            Path.of("../store-s3/target/s3proxy/s3proxy.jar"),
            Path.of("bench/target/s3proxy/s3proxy.jar"),
            Path.of("store-s3/target/s3proxy/s3proxy.jar"))) {
      if (Files.isRegularFile(p)) {
        return p.toAbsolutePath();
      }
    }
    throw new IllegalStateException(
        "S3Proxy jar not found; build the store-s3 module first (mvn -pl store-s3 process-test-resources)");
  }

  /**
   * Starts a server over {@code dir} with one bucket.
   *
   * @param dir a fresh directory (buckets live in {@code dir/data})
   * @param bucket the bucket to create
   * @return the running server
   */
  public static S3Proxy start(Path dir, String bucket) throws IOException, InterruptedException {
    Path data = Files.createDirectories(dir.resolve("data"));
    Files.createDirectories(data.resolve(bucket));
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    Path props = dir.resolve("s3proxy.properties");
    Files.writeString(
        props,
        String.join(
            "\n",
            "s3proxy.endpoint=http://127.0.0.1:" + port,
            "s3proxy.authorization=aws-v2-or-v4",
            "s3proxy.identity=" + IDENTITY,
            "s3proxy.credential=" + CREDENTIAL,
            "jclouds.provider=filesystem",
            "jclouds.filesystem.basedir=" + data.toString().replace('\\', '/'),
            ""));
    Path log = dir.resolve("s3proxy.log");
    Process p =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m",
                "-jar",
                jar().toString(),
                "--properties",
                props.toString())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    S3Proxy proxy = new S3Proxy(p, port, data, log);
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (System.nanoTime() < deadline) {
      if (!p.isAlive()) {
        throw new IOException("S3Proxy exited at start: " + Files.readString(log));
      }
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress("127.0.0.1", port), 200);
        return proxy;
      } catch (IOException notYet) {
        Thread.sleep(100);
      }
    }
    proxy.close();
    throw new IOException("S3Proxy did not listen within 60 s: " + Files.readString(log));
  }

  public String endpoint() {
    return "http://127.0.0.1:" + port;
  }

  /** Where the buckets' objects are, as files. */
  public Path baseDir() {
    return baseDir;
  }

  /** Settings that reach this server with its test credentials, retrying little. */
  public S3Settings s3Settings() {
    return S3Settings.defaults()
        .with(endpoint(), "us-east-1", true)
        .withCredentials(IDENTITY, CREDENTIAL)
        .withRetries(3, Duration.ofSeconds(10));
  }

  /** The same as keys, for {@code Store.open(location, options, settings)}. */
  public java.util.Map<String, String> settings() {
    return s3Settings().toMap();
  }

  /** The server's output, for failure messages. */
  public String log() throws IOException {
    return Files.readString(log);
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }
}
