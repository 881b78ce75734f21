// V8 flags `herald serve` is launched with (package.json's `start`, bin/herald.mjs's shebang; the
// single executable takes them from NODE_OPTIONS). They must be given at launch: V8 sizes its heap
// when the process starts, and setting them later has no effect.
//
// A gateway's long-lived data is per-connection state, and a storm of connections makes V8 grow
// its young generation to its default maximum (two 16 MiB semi-spaces) and keep it: ~3 KB of
// resident memory per connection over 10,000, more than the connections' own objects. 4 MiB
// semi-spaces cap that at 8 MiB and shorten scavenge pauses; scavenges come more often, which
// costs little here because few of a notification's objects outlive it.
export const SERVE_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=4'];
