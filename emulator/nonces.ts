/**
 * Remembers SignatureNonces until the request that carried them could no longer pass
 * the timestamp check, which is what makes forgetting them safe. The size cap bounds
 * memory under a flood; past it the oldest nonces go first, which only weakens replay
 * protection for requests that are close to expiring anyway.
 */
/** With MAX_NONCE_LENGTH, this bounds the store to a few tens of MB under any flood. */
export const MAX_NONCES = 100_000;

export class NonceStore {
  private readonly expiries = new Map<string, number>();

  constructor(private readonly maxEntries = MAX_NONCES) {}

  get size(): number {
    return this.expiries.size;
  }

  /** Returns false if the nonce is known and live (through expiresAt); otherwise remembers it. */
  claim(nonce: string, expiresAt: number, now: number): boolean {
    this.forgetExpired(now);
    const known = this.expiries.get(nonce);
    if (known !== undefined && known >= now) return false;
    this.expiries.delete(nonce);
    while (this.expiries.size >= this.maxEntries) {
      const oldest = this.expiries.keys().next();
      if (oldest.done) break;
      this.expiries.delete(oldest.value);
    }
    this.expiries.set(nonce, expiresAt);
    return true;
  }

  private forgetExpired(now: number): void {
    // Insertion order is close to expiry order, so stopping at the first live entry
    // keeps this O(expired) per call; stragglers are caught by later sweeps or the cap.
    for (const [nonce, expiresAt] of this.expiries) {
      if (expiresAt >= now) break;
      this.expiries.delete(nonce);
    }
  }
}
