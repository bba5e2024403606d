package org.pystore.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.StringLength;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class NamesTest {
  @ParameterizedTest
  @ValueSource(
      strings = {
        "../x",
        "..",
        ".",
        "a/b",
        "a\\b",
        "_log",
        "_snapshots",
        ".hidden",
        "CON",
        "con.txt",
        "LPT1",
        "nul",
        "a:b",
        "a*b",
        "tab\tname",
        "end.",
        "end ",
        "",
        "50%",
        "a\u0000b",
        "COM¹"
      })
  void hostileNamesAreRefused(String name) {
    assertThatThrownBy(() -> Names.check("item", name))
        .isInstanceOf(InvalidNameException.class)
        .hasMessageContaining("refused");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"AAPL", "BRK.B", "eur-usd", "ES 2024", "日経225", "a%2Fb", "CONSOLE", "x_y"})
  void ordinaryNamesAreAccepted(String name) {
    assertThat(Names.check("item", name)).isEqualTo(name);
  }

  @Property(tries = 500)
  void encodeIsValidAndReversible(@ForAll @StringLength(min = 1, max = 60) String raw) {
    String encoded = Names.encode(raw);
    assertThat(Names.isValid(encoded)).isTrue();
    assertThat(Names.decode(encoded)).isEqualTo(raw);
  }

  @Test
  void encodeExamples() {
    assertThat(Names.encode("a/b")).isEqualTo("a%2Fb");
    assertThat(Names.encode("../x")).isEqualTo("%2E.%2Fx");
    assertThat(Names.encode("_log")).isEqualTo("%5Flog");
    assertThat(Names.encode("CON")).isEqualTo("%43ON");
    assertThat(Names.encode("AAPL")).isEqualTo("AAPL");
    assertThat(Names.encode("50%")).isEqualTo("50%25");
  }

  @Test
  void storeRefusesHostileNamesAndWritesNothingOutside(@TempDir Path tmp) throws Exception {
    Path root = tmp.resolve("store");
    Store store = Store.open(root);
    for (String bad : new String[] {"../x", "a/b", "_log", "CON", ".."}) {
      assertThatThrownBy(() -> store.item("c", bad)).isInstanceOf(InvalidNameException.class);
      assertThatThrownBy(() -> store.collection(bad)).isInstanceOf(InvalidNameException.class);
    }
    // an encoded data name lands inside the collection, under its encoded form
    Item item = store.item("c", Names.encode("../../etc"));
    item.write(Ticks.SCHEMA, Ticks.series(1, 0), ItemOptions.defaults(), Map.of(), false);
    try (var files = Files.list(tmp)) {
      assertThat(files.map(p -> p.getFileName().toString())).containsExactly("store");
    }
    assertThat(store.collection("c").items()).containsExactly("%2E.%2F..%2Fetc");
  }
}
