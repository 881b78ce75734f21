// A bounded set of recent ids (insertion order; the oldest forgotten first): redelivered
// notifications (`_unique_id`) and pushes (RoutedPush.id) are recognised within this window.
export class RecentIds {
  private readonly ids = new Set<string>();
  constructor(private readonly size: number) {}
  /** True when `id` was seen recently; remembers it either way. */
  seen(id: string): boolean {
    if (this.ids.has(id)) return true;
    this.ids.add(id);
    if (this.ids.size > this.size) this.ids.delete(this.ids.values().next().value!);
    return false;
  }
}
