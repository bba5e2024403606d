package org.pystore.store;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.pystore.store.log.ItemState;

/**
 * A collection pinned at one point ({@link PyCollection#pin()}): a version of every item, such that
 * each transaction is seen in all its items or in none. Reads through it see that point however the
 * items change later.
 */
public final class CollectionPin {
  private final PyCollection collection;
  private final Map<String, ItemState> states;

  CollectionPin(PyCollection collection, Map<String, ItemState> states) {
    this.collection = collection;
    this.states = Collections.unmodifiableMap(new TreeMap<>(states));
  }

  /** The items that existed at the pin, sorted. */
  public List<String> items() {
    return List.copyOf(states.keySet());
  }

  /** The pinned version of each item. */
  public Map<String, Long> versions() {
    Map<String, Long> out = new TreeMap<>();
    states.forEach((k, v) -> out.put(k, v.version()));
    return out;
  }

  /**
   * The pinned state of an item.
   *
   * @param item the item
   * @return its state at the pin
   * @throws ItemNotFoundException when it did not exist at the pin
   */
  public ItemState state(String item) {
    ItemState s = states.get(item);
    if (s == null) {
      throw new ItemNotFoundException(collection.name(), item);
    }
    return s;
  }

  /**
   * Reads an item as it was at the pin.
   *
   * @param item the item
   * @param options what to read; its version, when set, must be the pinned one or absent
   * @return the rows
   */
  public RowReader read(String item, ReadOptions options) {
    if (options.snapshot() != null) {
      throw new InvalidDataException("a pinned read cannot also name a snapshot");
    }
    long v = state(item).version();
    if (options.version() != null && options.version() != v) {
      throw new InvalidDataException(
          "item '"
              + collection.name()
              + "/"
              + item
              + "' is pinned at version "
              + v
              + ", not "
              + options.version());
    }
    return collection.item(item).read(options.atVersion(v));
  }

  /** Reads every row of an item as it was at the pin. */
  public RowReader read(String item) {
    return read(item, ReadOptions.all());
  }
}
