package org.pystore.store.s3;

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

  /** Settings key: the endpoint URL. */
  public static final String ENDPOINT = "s3.endpoint";

  /** Settings key: the region. */
  public static final String REGION = "s3.region";

  /** Settings key: path-style access, true or false. */
  public static final String PATH_STYLE = "s3.path.style.access";

  /** Settings key: an explicit access key id (tests; deployments use the default chain). */
  public static final String ACCESS_KEY = "s3.access.key.id";

  /** Settings key: the secret going with {@link #ACCESS_KEY}. */
  public static final String SECRET_KEY = "s3.secret.access.key";

  /** Settings key: attempts per request. */
  public static final String MAX_ATTEMPTS = "s3.max.attempts";

  /** Settings key: one attempt's limit in milliseconds. */
  public static final String TIMEOUT_MS = "s3.timeout.ms";

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
    if (endpoint != null && !isEndpoint(endpoint)) {
      throw new IllegalArgumentException(
          "s3 endpoint '" + endpoint + "' is not a URL; write it as " + ENDPOINT_FORM);
    }
    if ((accessKey == null) != (secretKey == null)) {
      throw new IllegalArgumentException("give both the s3 access key and secret key, or neither");
    }
  }

  /** How an endpoint is written, for messages. */
  public static final String ENDPOINT_FORM = "http(s)://host[:port]";

  /**
   * Whether a text is an endpoint the SDK can use: an {@code http} or {@code https} URL with a
   * host. The one check behind the connectors', the compactor's and the CLI's settings.
   *
   * @param endpoint the text
   * @return true when it is one
   */
  public static boolean isEndpoint(String endpoint) {
    try {
      URI u = new URI(endpoint.trim());
      return u.getHost() != null
          && ("http".equalsIgnoreCase(u.getScheme()) || "https".equalsIgnoreCase(u.getScheme()));
    } catch (java.net.URISyntaxException e) {
      return false;
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

  /**
   * Settings by key over the environment's: a key that is set (not blank) wins over the
   * environment.
   *
   * @param settings keys {@link #ENDPOINT}, {@link #REGION}, {@link #PATH_STYLE}, {@link
   *     #ACCESS_KEY}, {@link #SECRET_KEY}, {@link #MAX_ATTEMPTS}, {@link #TIMEOUT_MS}
   * @param env the environment
   * @return the settings
   * @throws IllegalArgumentException naming the key that is wrong
   */
  public static S3Settings of(Map<String, String> settings, Map<String, String> env) {
    S3Settings base = fromEnvironment(env);
    String ps = blankToNull(settings.get(PATH_STYLE));
    if (ps != null && !ps.equalsIgnoreCase("true") && !ps.equalsIgnoreCase("false")) {
      throw new IllegalArgumentException(PATH_STYLE + " is '" + ps + "'; set it to true or false");
    }
    S3Settings s =
        base.with(
            blankToNull(settings.get(ENDPOINT)),
            blankToNull(settings.get(REGION)),
            ps == null ? null : Boolean.valueOf(ps.equalsIgnoreCase("true") || base.pathStyle()));
    String key = blankToNull(settings.get(ACCESS_KEY));
    if (key != null || blankToNull(settings.get(SECRET_KEY)) != null) {
      s = s.withCredentials(key, blankToNull(settings.get(SECRET_KEY)));
    }
    String attempts = blankToNull(settings.get(MAX_ATTEMPTS));
    String timeout = blankToNull(settings.get(TIMEOUT_MS));
    if (attempts != null || timeout != null) {
      try {
        s =
            s.withRetries(
                attempts == null ? s.maxAttempts() : Integer.parseInt(attempts),
                timeout == null ? s.timeout() : Duration.ofMillis(Long.parseLong(timeout)));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(
            MAX_ATTEMPTS + " and " + TIMEOUT_MS + " take whole numbers: " + e.getMessage());
      }
    }
    return s;
  }

  /** These settings as keys, for {@link #of} (the secret included: keep the map private). */
  public Map<String, String> toMap() {
    Map<String, String> m = new java.util.LinkedHashMap<>();
    if (endpoint != null) {
      m.put(ENDPOINT, endpoint);
    }
    if (region != null) {
      m.put(REGION, region);
    }
    m.put(PATH_STYLE, Boolean.toString(pathStyle));
    if (accessKey != null) {
      m.put(ACCESS_KEY, accessKey);
      m.put(SECRET_KEY, secretKey);
    }
    m.put(MAX_ATTEMPTS, Integer.toString(maxAttempts));
    m.put(TIMEOUT_MS, Long.toString(timeout.toMillis()));
    return m;
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
