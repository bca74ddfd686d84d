// Stream tickets are good for one stream: the user's object keeps the id of each ticket that
// opened one until the ticket expires, and admits no second stream with it.

export class UsedTickets {
  private readonly sql: SqlStorage;
  private readonly now: () => number;

  constructor(sql: SqlStorage, now: () => number) {
    this.sql = sql;
    this.now = now;
  }

  /** Whether a stream was admitted with this ticket already. */
  isUsed(ticketId: string): boolean {
    return this.sql.exec("select 1 from used_tickets where id = ? and expires_at > ?", ticketId, this.now()).toArray().length > 0;
  }

  /** Checks a ticket off; it is kept until it would have expired anyway. */
  use(ticketId: string, expiresAt: number): void {
    this.sql.exec("insert or ignore into used_tickets (id, expires_at) values (?, ?)", ticketId, expiresAt);
  }

  /** Drops expired tickets; returns when the last one left expires, or null when none is left. */
  prune(): number | null {
    this.sql.exec("delete from used_tickets where expires_at <= ?", this.now());
    return this.sql.exec<{ last: number | null }>("select max(expires_at) as last from used_tickets").one().last;
  }
}
