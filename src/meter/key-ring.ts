// The live API keys of one user: their hashes, as opaque credentials the object can vouch for. A
// key works while it is here and unexpired; revoking one removes it before the revoke answers, so
// it fails on the very next request. The object knows nothing else of logins.

/** A key as the object keeps it: never the key itself. */
export interface KeyRecord {
  keyId: string;
  hash: string;
  /** ms since the epoch, or null for a key that does not expire. */
  expiresAt: number | null;
}

const MINUTE_MS = 60_000;

export class KeyRing {
  private readonly sql: SqlStorage;
  private readonly now: () => number;

  constructor(sql: SqlStorage, now: () => number) {
    this.sql = sql;
    this.now = now;
  }

  /** The keys that work now. */
  live(): number {
    return this.sql.exec<{ n: number }>("select count(*) as n from api_keys where expires_at is null or expires_at > ?", this.now()).one()
      .n;
  }

  /** Adds a key unless `max` keys are live already; false when full. */
  add(key: KeyRecord, max: number): boolean {
    if (this.live() >= max) return false;
    this.sql.exec("insert into api_keys (hash, key_id, expires_at) values (?, ?, ?)", key.hash, key.keyId, key.expiresAt);
    return true;
  }

  /**
   * Whether the key with this hash works now. Its last use is kept to the minute: a key used all
   * day long writes once a minute, not once a request.
   */
  check(hash: string): boolean {
    const now = this.now();
    const minute = now - (now % MINUTE_MS);
    const key = this.sql
      .exec<{ lastUsedAt: number | null }>(
        "select last_used_at as lastUsedAt from api_keys where hash = ? and (expires_at is null or expires_at > ?)",
        hash,
        now,
      )
      .toArray()[0];
    if (!key) return false;
    if (key.lastUsedAt === null || key.lastUsedAt < minute) {
      this.sql.exec("update api_keys set last_used_at = ? where hash = ?", minute, hash);
    }
    return true;
  }

  /** Removes a key; nothing happens for an id this user does not have. */
  revoke(keyId: string): void {
    this.sql.exec("delete from api_keys where key_id = ?", keyId);
  }

  /** When each live key was last used, to the minute (ms since the epoch), or null. */
  lastUses(): { keyId: string; lastUsedAt: number | null }[] {
    return this.sql
      .exec<{ keyId: string; lastUsedAt: number | null }>("select key_id as keyId, last_used_at as lastUsedAt from api_keys")
      .toArray();
  }

  /**
   * Drops expired keys. Returns when the next one expires (or null), and whether any is left: a
   * key that never expires keeps the object's storage.
   */
  prune(): { nextExpiry: number | null; any: boolean } {
    const now = this.now();
    this.sql.exec("delete from api_keys where expires_at <= ?", now);
    const left = this.sql.exec<{ n: number; next: number | null }>("select count(*) as n, min(expires_at) as next from api_keys").one();
    return { nextExpiry: left.next, any: left.n > 0 };
  }
}
