// The opaque cursor of the sessions list: the last row's (createdAt, id), base64.

export interface Cursor {
  createdAt: Date;
  id: string;
}

/** @example encodeCursor({ createdAt: new Date(0), id }) // "MTk3MC0wMS0wMVQwMDowMDowMC4wMDBafC4uLg" */
export const encodeCursor = (cursor: Cursor) => btoa(`${cursor.createdAt.toISOString()}|${cursor.id}`).replace(/=+$/, "");

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The cursor in a `cursor` query value, or undefined when it is not exactly one this API gave. */
export function decodeCursor(value: string): Cursor | undefined {
  let decoded: string;
  try {
    decoded = atob(value);
  } catch {
    return undefined;
  }
  const [createdAt = "", id = "", ...rest] = decoded.split("|");
  const date = new Date(createdAt);
  const year = date.getUTCFullYear();
  const exact = !Number.isNaN(date.getTime()) && year >= 1 && year <= 9999 && date.toISOString() === createdAt;
  return exact && rest.length === 0 && UUID.test(id) ? { createdAt: date, id } : undefined;
}
