package org.pystore.store.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * What every {@link Storage} must do, run against each implementation: above all that of racing
 * creators of one key exactly one wins.
 */
public abstract class StorageContract {
  /** Above the multipart threshold of object storage backends (8 MiB for S3). */
  static final int LARGE = 9 * 1024 * 1024;

  /** A fresh, empty storage for one test. */
  protected abstract Storage storage() throws Exception;

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void ofRacingCreatorsExactlyOneWinsAndItsContentStays() throws Exception {
    Storage s = storage();
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      for (int round = 0; round < 20; round++) {
        String key = "c/i/_log/" + String.format("%020d.json", round);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<Boolean>> wins = new ArrayList<>();
        for (int w = 0; w < 8; w++) {
          byte[] mine = bytes("writer " + w);
          Callable<Boolean> c =
              () -> {
                go.await();
                return s.createIfAbsent(key, mine);
              };
          wins.add(pool.submit(c));
        }
        go.countDown();
        int won = -1;
        int count = 0;
        for (int w = 0; w < 8; w++) {
          if (wins.get(w).get()) {
            won = w;
            count++;
          }
        }
        assertThat(count).as("winners of round " + round).isEqualTo(1);
        assertThat(new String(s.read(key), StandardCharsets.UTF_8)).isEqualTo("writer " + won);
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void replaceReadStatAndMissingFiles() throws Exception {
    Storage s = storage();
    assertThat(s.stat("a/b.json")).isEmpty();
    assertThat(s.exists("a/b.json")).isFalse();
    assertThatThrownBy(() -> s.read("a/b.json")).isInstanceOf(NoSuchFileException.class);
    assertThatThrownBy(() -> s.open("a/b.json")).isInstanceOf(NoSuchFileException.class);
    s.replace("a/b.json", bytes("one"));
    s.replace("a/b.json", bytes("second"));
    assertThat(s.read("a/b.json")).isEqualTo(bytes("second"));
    assertThat(s.stat("a/b.json")).get().extracting(FileInfo::size).isEqualTo(6L);
    assertThat(s.createIfAbsent("a/b.json", bytes("x"))).isFalse();
    assertThat(s.read("a/b.json")).isEqualTo(bytes("second"));
    s.delete("a/b.json");
    s.delete("a/b.json"); // gone already: fine
    assertThat(s.exists("a/b.json")).isFalse();
  }

  @Test
  void listingsShowDirectChildrenInOrder() throws Exception {
    Storage s = storage();
    for (String k : List.of("c/x/f3", "c/x/f1", "c/x/f2", "c/x/sub/deep", "c/y/g", "c/top")) {
      s.replace(k, bytes(k));
    }
    assertThat(s.list("c/x")).extracting(FileInfo::name).containsExactly("f1", "f2", "f3");
    assertThat(s.list("c/x", "f1")).extracting(FileInfo::name).containsExactly("f2", "f3");
    assertThat(s.list("c")).extracting(FileInfo::name).containsExactly("top");
    assertThat(s.directories("c")).containsExactly("x", "y");
    assertThat(s.directories("")).contains("c");
    assertThat(s.list("nothing")).isEmpty();
    assertThat(s.directories("nothing")).isEmpty();
    assertThat(s.isDirectory("c/x")).isTrue();
    assertThat(s.isDirectory("c/z")).isFalse();
    s.deleteTree("c/x");
    assertThat(s.isDirectory("c/x")).isFalse();
    assertThat(s.read("c/y/g")).isEqualTo(bytes("c/y/g"));
  }

  @Test
  void largeFilesAreWrittenWholeAndReadByRanges() throws Exception {
    Storage s = storage();
    byte[] data = new byte[LARGE + 1_234_567];
    new Random(7).nextBytes(data);
    try (NewFile f = s.create("c/i/_staging/big.parquet")) {
      for (int off = 0; off < data.length; off += 100_000) {
        f.write(data, off, Math.min(100_000, data.length - off));
      }
      assertThat(f.position()).isEqualTo(data.length);
      assertThat(f.finish()).isEqualTo(data.length);
    }
    try (ReadableFile r = s.open("c/i/_staging/big.parquet")) {
      assertThat(r.length()).isEqualTo(data.length);
      for (long pos : new long[] {0, 17, LARGE - 3, data.length - 8}) {
        ByteBuffer b = ByteBuffer.allocate(8);
        r.readFully(pos, b);
        byte[] want = java.util.Arrays.copyOfRange(data, (int) pos, (int) pos + 8);
        assertThat(b.array()).isEqualTo(want);
      }
      assertThatThrownBy(() -> r.readFully(data.length - 2, ByteBuffer.allocate(8)))
          .isInstanceOf(java.io.EOFException.class);
    }
  }

  @Test
  void anUnfinishedFileLeavesNothing() throws Exception {
    Storage s = storage();
    NewFile f = s.create("c/i/_staging/p.parquet");
    f.write(new byte[LARGE + 10]); // a multipart upload under way on S3
    f.close();
    assertThat(s.exists("c/i/_staging/p.parquet")).isFalse();
  }

  @Test
  void movesReplaceTheTargetAndReportAMissingSource() throws Exception {
    Storage s = storage();
    s.replace("c/i/_staging/p", bytes("part"));
    assertThat(s.move("c/i/_staging/p", "c/i/p")).isTrue();
    assertThat(s.exists("c/i/_staging/p")).isFalse();
    assertThat(s.read("c/i/p")).isEqualTo(bytes("part"));
    assertThat(s.move("c/i/_staging/p", "c/i/p")).isFalse();
    assertThat(s.move("c/i/p", "c/i/_removed/p")).isTrue();
    s.touch("c/i/_removed/p");
    s.touch("c/i/_removed/none");
    assertThat(s.read("c/i/_removed/p")).isEqualTo(bytes("part"));
  }

  /**
   * Writers moving their own files into a directory that does not exist yet (the first parts
   * retired into {@code _removed/}) all succeed: one writer creating the directory must not make
   * another's move look like a missing source, which left a replaced part visible.
   */
  @Test
  void racingMovesIntoANewDirectoryAllSucceed() throws Exception {
    Storage s = storage();
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      for (int round = 0; round < 30; round++) {
        String aside = "c/i" + round + "/_removed/";
        CountDownLatch go = new CountDownLatch(1);
        List<Future<Boolean>> moved = new ArrayList<>();
        for (int w = 0; w < 8; w++) {
          String from = "c/i" + round + "/p" + w;
          String to = aside + "p" + w;
          s.replace(from, bytes("part " + w));
          Callable<Boolean> c =
              () -> {
                go.await();
                return s.move(from, to);
              };
          moved.add(pool.submit(c));
        }
        go.countDown();
        for (int w = 0; w < 8; w++) {
          assertThat(moved.get(w).get()).as("move %d of round %d", w, round).isTrue();
          assertThat(s.read(aside + "p" + w)).isEqualTo(bytes("part " + w));
        }
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void aFaultAfterACreateLeavesTheFileCreated() throws Exception {
    FaultyStorage s =
        new FaultyStorage(
            storage(),
            (op, key) -> op == FaultyStorage.Op.CREATE_IF_ABSENT ? FaultyStorage.When.AFTER : null);
    assertThatThrownBy(() -> s.createIfAbsent("c/i/_log/x", bytes("mine")))
        .hasMessageContaining("injected");
    s.faults((op, key) -> null);
    assertThat(s.read("c/i/_log/x")).isEqualTo(bytes("mine"));
    s.faults((op, key) -> op == FaultyStorage.Op.REPLACE ? FaultyStorage.When.BEFORE : null);
    assertThatThrownBy(() -> s.replace("c/i/m", bytes("m"))).hasMessageContaining("injected");
    assertThat(s.delegate().exists("c/i/m")).isFalse();
  }
}
