package org.pystore.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pystore.store.s3.S3Proxy;

/**
 * The pystore command on an s3:// store, in its own JVM so that it takes credentials, region,
 * endpoint and path style from the environment, as the docs say: AWS_ACCESS_KEY_ID,
 * AWS_SECRET_ACCESS_KEY, AWS_REGION, AWS_ENDPOINT_URL_S3, PYSTORE_S3_PATH_STYLE; and PYSTORE_STORE.
 */
class S3CliTest {
  static final String BUCKET = "cli";
  @TempDir static Path dir;
  static S3Proxy proxy;

  @BeforeAll
  static void start() throws Exception {
    proxy = S3Proxy.start(dir.resolve("s3"), BUCKET);
  }

  @AfterAll
  static void stop() {
    if (proxy != null) {
      proxy.close();
    }
  }

  /** Exit code, stdout, and stdout with stderr (the JVM may warn on stderr: JDK 25 does). */
  record Run(int code, String stdout, String out) {}

  Run pystore(Map<String, String> extraEnv, String... args) throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(PyStoreCli.class.getName());
    cmd.addAll(List.of(args));
    Path err = Files.createTempFile(dir, "stderr", ".txt");
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(err.toFile());
    Map<String, String> env = pb.environment();
    env.put("AWS_ACCESS_KEY_ID", S3Proxy.IDENTITY);
    env.put("AWS_SECRET_ACCESS_KEY", S3Proxy.CREDENTIAL);
    env.put("AWS_REGION", "us-east-1");
    env.put("AWS_ENDPOINT_URL_S3", proxy.endpoint());
    env.put("PYSTORE_S3_PATH_STYLE", "true");
    env.remove("PYSTORE_STORE");
    env.putAll(extraEnv);
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
    return new Run(p.exitValue(), out, out + Files.readString(err));
  }

  @Test
  void writeReadHistorySnapshotAndVerifyOnS3() throws Exception {
    String store = "s3://" + BUCKET + "/desk";
    Path csv =
        Files.writeString(
            dir.resolve("t.csv"),
            "ts,sym,price\n2024-01-02T09:30:00Z,AAPL,185.5\n2024-01-02T09:31:00Z,AAPL,186\n");
    Map<String, String> env = Map.of("PYSTORE_STORE", store);
    Run w = pystore(env, "write", "ticks/AAPL", "--csv", csv.toString());
    assertThat(w.code()).as(w.out()).isZero();
    Run a = pystore(Map.of(), "--store", store, "append", "ticks/AAPL", "--csv", csv.toString());
    assertThat(a.code()).as(a.out()).isZero();
    Run r = pystore(env, "read", "ticks/AAPL");
    assertThat(r.code()).as(r.out()).isZero();
    assertThat(r.out()).contains("185.5").contains("186");
    assertThat(r.stdout().lines().count()).isEqualTo(3); // header + 2 rows: duplicates dropped
    assertThat(pystore(env, "items", "ticks").out()).contains("AAPL");
    assertThat(pystore(env, "history", "ticks/AAPL").out()).contains("append");
    assertThat(pystore(env, "snapshot", "create", "ticks", "s1").code()).isZero();
    Run v = pystore(env, "verify");
    assertThat(v.code()).as(v.out()).isZero();
    // the objects are where the docs say
    assertThat(proxy.baseDir().resolve(BUCKET).resolve("desk/ticks/AAPL/_log")).isDirectory();
  }

  @Test
  void aMissingBucketAndAServiceThatCannotBeReachedAreOneClearLine() throws Exception {
    Run missing = pystore(Map.of(), "--store", "s3://nope/x", "collections");
    assertThat(missing.code()).isNotZero();
    assertThat(missing.out()).contains("bucket 'nope' does not exist").doesNotContain("\tat ");
    Run noEndpoint =
        pystore(
            Map.of("AWS_ENDPOINT_URL_S3", "http://127.0.0.1:9"),
            "--store",
            "s3://" + BUCKET + "/x",
            "collections");
    assertThat(noEndpoint.code()).isNotZero();
    assertThat(noEndpoint.out()).contains("unreachable").doesNotContain("\tat ");
  }
}
