package org.pystore.store.s3;

import java.io.EOFException;
import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.pystore.store.storage.FileInfo;
import org.pystore.store.storage.NewFile;
import org.pystore.store.storage.ReadableFile;
import org.pystore.store.storage.Storage;
import org.pystore.store.storage.StorageTransientException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.core.sync.ResponseTransformer;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.model.CommonPrefix;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.Delete;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.ObjectIdentifier;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * A store under a prefix of an S3 bucket (AWS S3 or an S3-compatible service). The commit primitive
 * is {@code PutObject} with {@code If-None-Match: *}: the service creates the object only if the
 * key is free and answers 412 to every other writer. On opening, a probe checks that the service
 * really refuses the second of two such writes; one that overwrites is refused, since commits would
 * then be lost without a trace.
 *
 * <p>There is no rename: a move is a server-side copy and a delete. Parts are written under {@code
 * _staging/} and copied to their final names once committed, so plain readers listing an item see
 * committed parts only. Files larger than the multipart threshold are uploaded in parts.
 *
 * <p>Requests that fail with throttling (503 SlowDown), a 5xx, a timeout or a reset connection are
 * retried by the SDK with backoff; what still fails surfaces as {@link StorageTransientException}.
 */
public final class S3Storage implements Storage {
  private static final Logger LOG = LoggerFactory.getLogger(S3Storage.class);

  /** Size of the pieces of a multipart upload, and the size from which one is used. */
  public static final int PART_BYTES = 8 * 1024 * 1024;

  /** Smallest ranged read: Parquet reads footers and pages in many small pieces. */
  static final int MIN_READ = 1024 * 1024;

  private final S3Client client;
  private final String bucket;
  private final String prefix;
  private final AtomicLong requests = new AtomicLong();

  private S3Storage(S3Client client, String bucket, String prefix) {
    this.client = client;
    this.bucket = bucket;
    this.prefix = prefix;
  }

  /**
   * Whether a location names object storage ({@code s3://bucket[/prefix]}).
   *
   * @param location a store location
   * @return true for an {@code s3://} URI
   */
  public static boolean isS3(String location) {
    return location != null && location.regionMatches(true, 0, "s3://", 0, 5);
  }

  /**
   * Opens a store location on S3: checks that the bucket exists and that the service honours
   * conditional writes.
   *
   * @param location {@code s3://bucket[/prefix]}
   * @param settings how to reach the service
   * @return the storage
   * @throws IOException when the bucket is missing, access is denied, or the service would
   *     overwrite on a conditional write
   */
  public static S3Storage open(String location, S3Settings settings) throws IOException {
    if (!isS3(location)) {
      throw new IllegalArgumentException(location + " is not an s3:// location");
    }
    String rest = location.substring(5);
    int slash = rest.indexOf('/');
    String bucket = slash < 0 ? rest : rest.substring(0, slash);
    String prefix = slash < 0 ? "" : trimSlashes(rest.substring(slash + 1));
    if (bucket.isEmpty()) {
      throw new IllegalArgumentException(
          "'" + location + "' names no bucket; write s3://BUCKET/PREFIX");
    }
    S3Storage s = new S3Storage(client(settings), bucket, prefix);
    try {
      s.checkBucket();
      s.probeConditionalWrites();
    } catch (IOException | RuntimeException e) {
      s.close();
      throw e;
    }
    return s;
  }

  private static String trimSlashes(String p) {
    int a = 0;
    int b = p.length();
    while (a < b && p.charAt(a) == '/') {
      a++;
    }
    while (b > a && p.charAt(b - 1) == '/') {
      b--;
    }
    return p.substring(a, b);
  }

  static S3Client client(S3Settings settings) {
    Duration t = settings.timeout();
    S3ClientBuilder b =
        S3Client.builder()
            .httpClientBuilder(
                ApacheHttpClient.builder().connectionTimeout(t).socketTimeout(t).maxConnections(64))
            .overrideConfiguration(
                o ->
                    o.retryStrategy(r -> r.maxAttempts(settings.maxAttempts()))
                        .apiCallAttemptTimeout(t.multipliedBy(2))
                        .apiCallTimeout(t.multipliedBy(2L * settings.maxAttempts() + 2)))
            .forcePathStyle(settings.pathStyle())
            // S3-compatible services do not all take the SDK's newer trailing checksums
            .requestChecksumCalculation(
                software.amazon.awssdk.core.checksums.RequestChecksumCalculation.WHEN_REQUIRED)
            .responseChecksumValidation(
                software.amazon.awssdk.core.checksums.ResponseChecksumValidation.WHEN_REQUIRED);
    if (settings.endpoint() != null) {
      b.endpointOverride(URI.create(settings.endpoint()));
    }
    if (settings.region() != null) {
      b.region(Region.of(settings.region()));
    } else if (settings.endpoint() != null) {
      b.region(Region.US_EAST_1); // S3-compatible services mostly ignore it; the SDK needs one
    }
    if (settings.accessKey() != null) {
      b.credentialsProvider(
          StaticCredentialsProvider.create(
              AwsBasicCredentials.create(settings.accessKey(), settings.secretKey())));
    } else {
      b.credentialsProvider(DefaultCredentialsProvider.builder().build());
    }
    return b.build();
  }

  private void checkBucket() throws IOException {
    try {
      requests.incrementAndGet();
      client.headBucket(r -> r.bucket(bucket));
    } catch (S3Exception e) {
      if (e.statusCode() == 404) {
        throw new IOException(
            "bucket '"
                + bucket
                + "' does not exist at "
                + client
                    .serviceClientConfiguration()
                    .endpointOverride()
                    .map(URI::toString)
                    .orElse("AWS S3")
                + "; create it first (the store never creates buckets), or check the name and"
                + " the endpoint",
            e);
      }
      throw translate(e, "s3://" + bucket);
    } catch (SdkClientException e) {
      throw translate(e, "s3://" + bucket);
    }
  }

  /**
   * Writes one probe object twice with {@code If-None-Match: *}: the second must be refused. A
   * service that accepts it overwrites on conditional writes, and two writers could both win a
   * version.
   */
  private void probeConditionalWrites() throws IOException {
    String key = object("_probe/" + UUID.randomUUID());
    byte[] body = "probe".getBytes(java.nio.charset.StandardCharsets.UTF_8);
    try {
      if (!putIfAbsent(key, body)) {
        throw new IOException("probe object " + key + " existed already");
      }
      if (putIfAbsent(key, body)) {
        throw new IOException(
            "the service at "
                + describe("")
                + " accepted a second PutObject with If-None-Match: * for an existing key (it"
                + " overwrites instead of answering 412), so it cannot decide between two writers"
                + " of one commit; the store refuses it. Use AWS S3, or a service that implements"
                + " conditional writes (see docs/object-storage.md)");
      }
    } finally {
      try {
        requests.incrementAndGet();
        client.deleteObject(r -> r.bucket(bucket).key(key));
      } catch (SdkException e) {
        LOG.warn("could not delete probe object s3://{}/{}", bucket, key, e);
      }
    }
  }

  /** Requests sent so far (for benchmarks and tests: what a commit costs). */
  public long requests() {
    return requests.get();
  }

  private String object(String key) {
    if (prefix.isEmpty()) {
      return key;
    }
    return key.isEmpty() ? prefix : prefix + "/" + key;
  }

  private String dirPrefix(String dir) {
    String o = object(dir);
    return o.isEmpty() ? "" : o + "/";
  }

  @Override
  public String describe(String key) {
    String o = object(key);
    return "s3://" + bucket + (o.isEmpty() ? "" : "/" + o);
  }

  @Override
  public ReadableFile open(String key) throws IOException {
    String o = object(key);
    HeadObjectResponse head;
    try {
      requests.incrementAndGet();
      head = client.headObject(r -> r.bucket(bucket).key(o));
    } catch (SdkException e) {
      throw translate(e, describe(key));
    }
    return new S3File(o, head.contentLength(), head.eTag());
  }

  @Override
  public NewFile create(String key) {
    return new S3NewFile(object(key));
  }

  @Override
  public boolean createIfAbsent(String key, byte[] data) throws IOException {
    return putIfAbsent(object(key), data);
  }

  private boolean putIfAbsent(String o, byte[] data) throws IOException {
    for (int attempt = 1; ; attempt++) {
      try {
        requests.incrementAndGet();
        client.putObject(
            r -> r.bucket(bucket).key(o).ifNoneMatch("*"), RequestBody.fromBytes(data));
        return true;
      } catch (S3Exception e) {
        if (e.statusCode() == 412) {
          return false;
        }
        if (e.statusCode() == 409 && attempt < 5) {
          // another conditional write of this key is in flight: wait for its outcome
          sleep(50L * attempt);
          continue;
        }
        throw translate(e, "s3://" + bucket + "/" + o);
      } catch (SdkClientException e) {
        throw translate(e, "s3://" + bucket + "/" + o);
      }
    }
  }

  @Override
  public void replace(String key, byte[] data) throws IOException {
    try {
      requests.incrementAndGet();
      client.putObject(r -> r.bucket(bucket).key(object(key)), RequestBody.fromBytes(data));
    } catch (SdkException e) {
      throw translate(e, describe(key));
    }
  }

  @Override
  public byte[] read(String key) throws IOException {
    try {
      requests.incrementAndGet();
      ResponseBytes<GetObjectResponse> b =
          client.getObject(r -> r.bucket(bucket).key(object(key)), ResponseTransformer.toBytes());
      return b.asByteArray();
    } catch (SdkException e) {
      throw translate(e, describe(key));
    }
  }

  @Override
  public Optional<FileInfo> stat(String key) throws IOException {
    try {
      requests.incrementAndGet();
      HeadObjectResponse h = client.headObject(r -> r.bucket(bucket).key(object(key)));
      return Optional.of(
          new FileInfo(Storage.name(key), h.contentLength(), h.lastModified().toEpochMilli()));
    } catch (S3Exception e) {
      if (e.statusCode() == 404) {
        return Optional.empty();
      }
      throw translate(e, describe(key));
    } catch (SdkClientException e) {
      throw translate(e, describe(key));
    }
  }

  @Override
  public List<FileInfo> list(String dir, String startAfter) throws IOException {
    String p = dirPrefix(dir);
    List<FileInfo> out = new ArrayList<>();
    ListObjectsV2Request.Builder req =
        ListObjectsV2Request.builder().bucket(bucket).prefix(p).delimiter("/");
    if (startAfter != null) {
      req.startAfter(p + startAfter);
    }
    pages(
        req,
        dir,
        r -> {
          for (S3Object o : r.contents()) {
            String name = o.key().substring(p.length());
            if (!name.isEmpty()) {
              out.add(new FileInfo(name, o.size(), o.lastModified().toEpochMilli()));
            }
          }
        });
    return out;
  }

  @Override
  public List<String> directories(String dir) throws IOException {
    String p = dirPrefix(dir);
    List<String> out = new ArrayList<>();
    pages(
        ListObjectsV2Request.builder().bucket(bucket).prefix(p).delimiter("/"),
        dir,
        r -> {
          for (CommonPrefix cp : r.commonPrefixes()) {
            String name = cp.prefix().substring(p.length());
            if (name.endsWith("/")) {
              name = name.substring(0, name.length() - 1);
            }
            if (!name.isEmpty()) {
              out.add(name);
            }
          }
        });
    out.sort(null);
    return out;
  }

  /** Runs a listing page by page, handing each page to {@code each}. */
  private void pages(
      ListObjectsV2Request.Builder req,
      String dir,
      java.util.function.Consumer<ListObjectsV2Response> each)
      throws IOException {
    try {
      String token = null;
      do {
        if (token != null) {
          req.continuationToken(token);
        }
        requests.incrementAndGet();
        ListObjectsV2Response r = client.listObjectsV2(req.build());
        each.accept(r);
        token = Boolean.TRUE.equals(r.isTruncated()) ? r.nextContinuationToken() : null;
      } while (token != null);
    } catch (SdkException e) {
      throw translate(e, describe(dir));
    }
  }

  @Override
  public boolean isDirectory(String dir) throws IOException {
    try {
      requests.incrementAndGet();
      return client
          .listObjectsV2(r -> r.bucket(bucket).prefix(dirPrefix(dir)).maxKeys(1))
          .hasContents();
    } catch (SdkException e) {
      throw translate(e, describe(dir));
    }
  }

  @Override
  public void delete(String key) throws IOException {
    try {
      requests.incrementAndGet();
      client.deleteObject(r -> r.bucket(bucket).key(object(key)));
    } catch (S3Exception e) {
      if (e.statusCode() != 404) {
        throw translate(e, describe(key));
      }
    } catch (SdkClientException e) {
      throw translate(e, describe(key));
    }
  }

  @Override
  public boolean move(String from, String to) throws IOException {
    String src = object(from);
    String dst = object(to);
    try {
      requests.incrementAndGet();
      client.copyObject(
          r -> r.sourceBucket(bucket).sourceKey(src).destinationBucket(bucket).destinationKey(dst));
    } catch (S3Exception e) {
      if (e.statusCode() == 404) {
        return false; // another writer moved it
      }
      throw translate(e, describe(from));
    } catch (SdkClientException e) {
      throw translate(e, describe(from));
    }
    delete(from);
    return true;
  }

  @Override
  public boolean moveDirectory(String from, String to) {
    return false;
  }

  @Override
  public boolean link(String existing, String link) {
    return false;
  }

  @Override
  public void touch(String key) {
    // a move is a copy, which stamps the copy with the time it was made
  }

  @Override
  public void deleteTree(String dir) throws IOException {
    pages(
        ListObjectsV2Request.builder().bucket(bucket).prefix(dirPrefix(dir)),
        dir,
        r -> {
          List<ObjectIdentifier> ids = new ArrayList<>();
          for (S3Object o : r.contents()) {
            ids.add(ObjectIdentifier.builder().key(o.key()).build());
          }
          if (!ids.isEmpty()) {
            requests.incrementAndGet();
            client.deleteObjects(
                d -> d.bucket(bucket).delete(Delete.builder().objects(ids).quiet(true).build()));
          }
        });
  }

  @Override
  public void sync(String dir) {
    // an object is durable once its PutObject returned
  }

  @Override
  public Optional<Path> localPath(String key) {
    return Optional.empty();
  }

  @Override
  public void close() {
    client.close();
  }

  @Override
  public String toString() {
    return describe("");
  }

  /** What an SDK failure means for the store. */
  static IOException translate(SdkException e, String where) {
    if (e instanceof S3Exception s3) {
      int code = s3.statusCode();
      String error = s3.awsErrorDetails() == null ? null : s3.awsErrorDetails().errorCode();
      if (code == 404) {
        NoSuchFileException n = new NoSuchFileException(where);
        n.initCause(e);
        return n;
      }
      if (code == 403) {
        return new IOException(
            "access to "
                + where
                + " denied ("
                + error
                + "); check the credentials (AWS_ACCESS_KEY_ID / profile / role) and the bucket"
                + " policy",
            e);
      }
      if (code == 429 || code == 503 || code >= 500) {
        return new StorageTransientException(
            "object storage kept failing for " + where + " (" + code + " " + error + ")", e);
      }
      return new IOException(
          "object storage refused " + where + " (" + code + " " + error + ")", e);
    }
    // timeouts, resets, unknown hosts after the SDK's retries
    return new StorageTransientException(
        "object storage unreachable for " + where + " (" + e.getMessage() + ")", e);
  }

  private static void sleep(long ms) throws IOException {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new java.io.InterruptedIOException("interrupted");
    }
  }

  /** An object read by ranges, pinned to the version it had when opened (by its ETag). */
  private final class S3File implements ReadableFile {
    private final String object;
    private final long length;
    private final String etag;
    private long cachedAt = -1;
    private byte[] cached;

    S3File(String object, long length, String etag) {
      this.object = object;
      this.length = length;
      this.etag = etag;
    }

    @Override
    public long length() {
      return length;
    }

    @Override
    public synchronized void readFully(long position, ByteBuffer into) throws IOException {
      long pos = position;
      while (into.hasRemaining()) {
        if (pos >= length) {
          throw new EOFException("unexpected end of " + describe() + " at byte " + pos);
        }
        if (cached == null || pos < cachedAt || pos >= cachedAt + cached.length) {
          long want = Math.max(into.remaining(), MIN_READ);
          long end = Math.min(length, pos + want) - 1;
          cached = fetch(pos, end);
          cachedAt = pos;
        }
        int off = (int) (pos - cachedAt);
        int n = Math.min(into.remaining(), cached.length - off);
        into.put(cached, off, n);
        pos += n;
      }
    }

    private byte[] fetch(long from, long to) throws IOException {
      try {
        requests.incrementAndGet();
        return client
            .getObject(
                r -> r.bucket(bucket).key(object).range("bytes=" + from + "-" + to).ifMatch(etag),
                ResponseTransformer.toBytes())
            .asByteArray();
      } catch (S3Exception e) {
        if (e.statusCode() == 412) {
          throw new NoSuchFileException(describe(), null, "replaced since it was opened");
        }
        throw translate(e, describe());
      } catch (SdkClientException e) {
        throw translate(e, describe());
      }
    }

    @Override
    public String describe() {
      return "s3://" + bucket + "/" + object;
    }

    @Override
    public void close() {
      cached = null;
    }
  }

  /** A new object: one PutObject when small, a multipart upload when large. */
  private final class S3NewFile extends NewFile {
    private final String object;
    private byte[] buffer = new byte[64 * 1024];
    private int buffered;
    private long written;
    private String uploadId;
    private final List<CompletedPart> parts = new ArrayList<>();
    private boolean done;

    S3NewFile(String object) {
      this.object = object;
    }

    @Override
    public void write(int b) throws IOException {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      while (len > 0) {
        if (buffered == PART_BYTES) {
          uploadPart();
        }
        if (buffered == buffer.length) {
          buffer = java.util.Arrays.copyOf(buffer, Math.min(PART_BYTES, buffer.length * 2));
        }
        int n = Math.min(len, buffer.length - buffered);
        System.arraycopy(b, off, buffer, buffered, n);
        buffered += n;
        written += n;
        off += n;
        len -= n;
      }
    }

    private void uploadPart() throws IOException {
      try {
        if (uploadId == null) {
          requests.incrementAndGet();
          uploadId = client.createMultipartUpload(r -> r.bucket(bucket).key(object)).uploadId();
        }
        int number = parts.size() + 1;
        requests.incrementAndGet();
        String etag =
            client
                .uploadPart(
                    r -> r.bucket(bucket).key(object).uploadId(uploadId).partNumber(number),
                    RequestBody.fromBytes(java.util.Arrays.copyOf(buffer, buffered)))
                .eTag();
        parts.add(CompletedPart.builder().partNumber(number).eTag(etag).build());
        buffered = 0;
      } catch (SdkException e) {
        throw translate(e, describe());
      }
    }

    @Override
    public long position() {
      return written;
    }

    @Override
    public long finish() throws IOException {
      try {
        if (uploadId == null) {
          requests.incrementAndGet();
          client.putObject(
              r -> r.bucket(bucket).key(object),
              RequestBody.fromBytes(java.util.Arrays.copyOf(buffer, buffered)));
        } else {
          if (buffered > 0) {
            uploadPart();
          }
          requests.incrementAndGet();
          client.completeMultipartUpload(
              r ->
                  r.bucket(bucket)
                      .key(object)
                      .uploadId(uploadId)
                      .multipartUpload(m -> m.parts(parts)));
        }
      } catch (SdkException e) {
        throw translate(e, describe());
      }
      done = true;
      buffer = null;
      return written;
    }

    @Override
    public String describe() {
      return "s3://" + bucket + "/" + object;
    }

    @Override
    public void close() {
      if (done) {
        return;
      }
      done = true;
      buffer = null;
      if (uploadId != null) {
        try {
          requests.incrementAndGet();
          client.abortMultipartUpload(r -> r.bucket(bucket).key(object).uploadId(uploadId));
        } catch (SdkException e) {
          LOG.warn("could not abort the upload of {} (a bucket lifecycle rule cleans it)", object);
        }
      }
    }
  }
}
