package org.pystore.store;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A real, small file system for disk-full tests: a tmpfs mounted on a directory (root only, as CI
 * runs), with a ballast file that fills it up to a chosen free space and is released to give the
 * space back.
 */
public final class SmallDisk implements AutoCloseable {
  private final Path dir;
  private final Path ballast;

  private SmallDisk(Path dir) {
    this.dir = dir;
    this.ballast = dir.resolve("ballast");
  }

  /** Whether this machine lets the tests mount a tmpfs (Linux, running as root). */
  public static boolean available() {
    if (!System.getProperty("os.name").toLowerCase(java.util.Locale.ROOT).contains("linux")) {
      return false;
    }
    try {
      Process p = new ProcessBuilder("id", "-u").redirectErrorStream(true).start();
      String uid = new String(p.getInputStream().readAllBytes()).trim();
      return p.waitFor(10, TimeUnit.SECONDS) && uid.equals("0");
    } catch (IOException | InterruptedException e) {
      return false;
    }
  }

  /**
   * Mounts a tmpfs of the given size on a new directory.
   *
   * @param dir the mount point (created)
   * @param megabytes the size
   */
  public static SmallDisk mount(Path dir, int megabytes) throws IOException, InterruptedException {
    Files.createDirectories(dir);
    run("mount", "-t", "tmpfs", "-o", "size=" + megabytes + "m", "tmpfs", dir.toString());
    return new SmallDisk(dir);
  }

  /** The mounted directory. */
  public Path path() {
    return dir;
  }

  /** Bytes free now. */
  public long free() throws IOException {
    return Files.getFileStore(dir).getUsableSpace();
  }

  /**
   * Fills the disk with a ballast file until about {@code leaveFree} bytes are free (0: until the
   * file system refuses another byte).
   */
  public void fill(long leaveFree) throws IOException {
    byte[] chunk = new byte[64 * 1024];
    byte[] page = new byte[4096];
    try (OutputStream out = Files.newOutputStream(ballast)) {
      while (free() > leaveFree + chunk.length) {
        out.write(chunk);
      }
      while (free() > leaveFree) {
        out.write(page);
        out.flush();
      }
    } catch (IOException full) {
      if (leaveFree > 0 || free() > 0) {
        throw full;
      }
    }
  }

  /** Gives the space back. */
  public void release() throws IOException {
    Files.deleteIfExists(ballast);
  }

  @Override
  public void close() throws IOException, InterruptedException {
    run("umount", "-l", dir.toString());
  }

  private static void run(String... cmd) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IOException(String.join(" ", cmd) + " failed: " + out);
    }
  }
}
