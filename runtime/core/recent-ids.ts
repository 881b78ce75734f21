// A bounded memory of recent ids: redelivered notifications (`_unique_id`) and pushes
// (RoutedPush.id) are recognised within this window. Two generations of `size` ids each, so it
// remembers at least the last `size` ids (at most 2 x size) at O(1) per call; evicting a Set's
// oldest entry one at a time instead leaves holes at the front that every later eviction scans.
export class RecentIds {
  private current = new Set<string>();
  private previous = new Set<string>();
  constructor(private readonly size: number) {}

  /** True when `id` was seen recently; remembers it either way. */
  seen(id: string): boolean {
    if (this.current.has(id) || this.previous.has(id)) return true;
    this.current.add(id);
    if (this.current.size >= this.size) {
      this.previous = this.current;
      this.current = new Set();
    }
    return false;
  }
}
