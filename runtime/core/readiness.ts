// What /readyz shows about a part that talks to a broker (a source, a push bus).
export interface Readiness {
  ready: boolean;
  /** Why not, or what it is consuming. */
  why: string;
}
