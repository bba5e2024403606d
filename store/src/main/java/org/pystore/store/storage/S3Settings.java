package org.pystore.store.storage;

import java.net.URI;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;

/**
 * How to reach an S3 or S3-compatible service. Every field may be left unset: credentials then come
 * from the AWS SDK's default chain (environment, system properties, profiles, container and
 * instance roles), the region and endpoint from {@code AWS_REGION} and {@code AWS_ENDPOINT_URL_S3}
 * / {@code AWS_ENDPOINT_URL} or the profile.
 *
 * @param endpoint the service's URL (an S3-compatible server), or null for AWS S3
 * @param region the region, or null for the SDK's default (us-east-1 with an endpoint)
 * @param pathStyle address buckets as {@code endpoint/bucket} instead of {@code bucket.endpoint}
 * @param accessKey an explicit access key id (tests), or null for the default chain
 * @param secretKey the secret key going with {@code accessKey}
 * @param maxAttempts attempts per request, the first included, on throttling, 5xx, timeouts and
 *     connection resets (with exponential backoff and jitter)
 * @param timeout the limit for one attempt of a request (connect, read)
 */
public record S3Settings(
    String endpoint,
    String region,
    boolean pathStyle,
    String accessKey,
    String secretKey,
    int maxAttempts,
    Duration timeout) {

  /** Attempts per request by default. */
  public static final int DEFAULT_ATTEMPTS = 6;

  /** One attempt's limit by default. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

  public S3Settings {
    if (maxAttempts < 1) {
      throw new IllegalArgumentException("s3 attempts must be at least 1, not " + maxAttempts);
    }
    if (timeout == null || timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("s3 timeout must be positive, not " + timeout);
    }
    if (endpoint != null) {
      URI u;
      try {
        u = new URI(endpoint);
      } catch (java.net.URISyntaxException e) {
        u = null;
      }
      if (u == null || u.getScheme() == null || u.getHost() == null) {
        throw new IllegalArgumentException(
            "s3 endpoint '" + endpoint + "' is not a URL; write it as http(s)://host[:port]");
      }
    }
    if ((accessKey == null) != (secretKey == null)) {
      throw new IllegalArgumentException("give both the s3 access key and secret key, or neither");
    }
  }

  /** The SDK's defaults for everything. */
  public static S3Settings defaults() {
    return new S3Settings(null, null, false, null, null, DEFAULT_ATTEMPTS, DEFAULT_TIMEOUT);
  }

  /**
   * What the command line and the compactor take from the environment: {@code AWS_ENDPOINT_URL_S3}
   * or {@code AWS_ENDPOINT_URL}, {@code AWS_REGION}, and {@code PYSTORE_S3_PATH_STYLE=true};
   * credentials stay with the SDK's default chain.
   *
   * @param env the environment
   * @return the settings
   */
  public static S3Settings fromEnvironment(Map<String, String> env) {
    String endpoint = blankToNull(env.get("AWS_ENDPOINT_URL_S3"));
    if (endpoint == null) {
      endpoint = blankToNull(env.get("AWS_ENDPOINT_URL"));
    }
    String region = blankToNull(env.get("AWS_REGION"));
    if (region == null) {
      region = blankToNull(env.get("AWS_DEFAULT_REGION"));
    }
    String ps = env.getOrDefault("PYSTORE_S3_PATH_STYLE", "false").trim().toLowerCase(Locale.ROOT);
    if (!ps.equals("true") && !ps.equals("false")) {
      throw new IllegalArgumentException(
          "PYSTORE_S3_PATH_STYLE is '" + ps + "'; set it to true or false");
    }
    return new S3Settings(
        endpoint, region, ps.equals("true"), null, null, DEFAULT_ATTEMPTS, DEFAULT_TIMEOUT);
  }

  /** These settings with another endpoint, region and path style (null keeps the current one). */
  public S3Settings with(String endpoint, String region, Boolean pathStyle) {
    return new S3Settings(
        endpoint == null ? this.endpoint : endpoint,
        region == null ? this.region : region,
        pathStyle == null ? this.pathStyle : pathStyle,
        accessKey,
        secretKey,
        maxAttempts,
        timeout);
  }

  /** These settings with explicit credentials. */
  public S3Settings withCredentials(String accessKey, String secretKey) {
    return new S3Settings(endpoint, region, pathStyle, accessKey, secretKey, maxAttempts, timeout);
  }

  /** These settings with other retry and timeout limits. */
  public S3Settings withRetries(int maxAttempts, Duration timeout) {
    return new S3Settings(endpoint, region, pathStyle, accessKey, secretKey, maxAttempts, timeout);
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s.trim();
  }

  @Override
  public String toString() {
    // never print the secret
    return "S3Settings[endpoint="
        + endpoint
        + ", region="
        + region
        + ", pathStyle="
        + pathStyle
        + ", credentials="
        + (accessKey == null ? "default chain" : "explicit")
        + ", maxAttempts="
        + maxAttempts
        + ", timeout="
        + timeout
        + "]";
  }
}
