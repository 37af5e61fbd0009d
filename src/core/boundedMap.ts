/**
 * Sets `key` to `value` as the newest entry of `map` (a `Map` iterates in insertion order) and, when that would
 * make it hold more than `max` entries, drops the oldest first: the process-wide caches (parses, pins, closures,
 * file hashes, name skeletons) forget first what they learnt first. O(1).
 */
export function setNewest<K, V>(map: Map<K, V>, key: K, value: V, max: number): void {
  map.delete(key);
  if (map.size >= max) map.delete(map.keys().next().value as K);
  map.set(key, value);
}
