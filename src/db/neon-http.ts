// The part of @neondatabase/serverless the Worker uses: the SQL-over-HTTP query function that
// drizzle's neon-http driver calls, and the type parsers it configures. The package also carries a
// WebSocket Pool and a port of node-postgres, which the Worker never runs but whose 47 KB (gzipped)
// were a third of its bundle; wrangler.toml aliases the package to this file for the Worker, as does
// the tests' config. The Node programs (dev/) use the real driver, and test/dev/neon-http.test.ts
// proves that this one sends the same requests and reads the same answers.

type Row = unknown[] | Record<string, unknown>;

interface Field {
  name: string;
  dataTypeID: number;
}

interface WireResult {
  fields: Field[];
  rows: (string | null)[][];
  command: string;
  rowCount: number | null;
}

interface QueryOptions {
  arrayMode?: boolean;
  fullResults?: boolean;
  isolationLevel?: "ReadUncommitted" | "ReadCommitted" | "RepeatableRead" | "Serializable";
  readOnly?: boolean;
  deferrable?: boolean;
}

type TypeParser = (value: string) => unknown;

const BUILTINS = { BOOL: 16, INT8: 20, INT2: 21, INT4: 23, OID: 26, JSON: 114, FLOAT4: 700, FLOAT8: 701, DATE: 1082, TIMESTAMP: 1114, TIMESTAMPTZ: 1184, INTERVAL: 1186, JSONB: 3802 } as const;

const parseBool: TypeParser = (value) => value === "t" || value === "true" || value === "TRUE" || value === "y" || value === "yes" || value === "on" || value === "1";

/** A one-dimensional Postgres array literal, `{a,"b c",NULL}`, its elements parsed by `element`. */
function arrayOf(element: TypeParser): TypeParser {
  return (literal) => {
    const items: unknown[] = [];
    let index = 1;
    while (index < literal.length - 1) {
      let value: string | null;
      if (literal[index] === '"') {
        value = "";
        for (index++; literal[index] !== '"'; index++) value += literal[index] === "\\" ? literal[++index] : literal[index];
        index++;
      } else {
        const end = literal.indexOf(",", index);
        const raw = literal.slice(index, end < 0 ? literal.length - 1 : end);
        index += raw.length;
        value = raw === "NULL" ? null : raw;
      }
      items.push(value === null ? null : element(value));
      index++; // the comma
    }
    return items;
  };
}

const asText: TypeParser = (value) => value;
const asInt: TypeParser = (value) => Number.parseInt(value, 10);
const asFloat: TypeParser = (value) => Number.parseFloat(value);
const asJson: TypeParser = (value) => JSON.parse(value);

/**
 * What the driver's pg-types gives for the types this app reads; every other type stays text, as
 * dates and times do once drizzle's driver has set them so (drizzle maps them itself).
 */
const parsers = new Map<number, TypeParser>([
  [BUILTINS.BOOL, parseBool],
  [BUILTINS.INT2, asInt],
  [BUILTINS.INT4, asInt],
  [BUILTINS.OID, asInt],
  [BUILTINS.FLOAT4, asFloat],
  [BUILTINS.FLOAT8, asFloat],
  [BUILTINS.JSON, asJson],
  [BUILTINS.JSONB, asJson],
  [1000, arrayOf(parseBool)],
  [1005, arrayOf(asInt)],
  [1007, arrayOf(asInt)],
  [1009, arrayOf(asText)],
  [1015, arrayOf(asText)],
  [1016, arrayOf(asText)],
  [1021, arrayOf(asFloat)],
  [1022, arrayOf(asFloat)],
  [199, arrayOf(asJson)],
  [3807, arrayOf(asJson)],
  [2951, arrayOf(asText)],
]);

export const types = {
  builtins: BUILTINS,
  setTypeParser(oid: number, parser: TypeParser) {
    parsers.set(oid, parser);
  },
  getTypeParser(oid: number): TypeParser {
    return parsers.get(oid) ?? asText;
  },
};

export const neonConfig: {
  fetchEndpoint: string | ((host: string, port: number | string, options?: { jwtAuth?: boolean }) => string);
  fetchFunction: typeof fetch | undefined;
} = {
  fetchEndpoint: (host) => `https://${host.replace(/^[^.]+\./, "api.")}/sql`,
  fetchFunction: undefined,
};

/** The driver's error type, with Postgres' fields (`code`, `constraint`, …) on a 400. */
export class NeonDbError extends Error {
  override name = "NeonDbError";
  code?: string;
  sourceError?: unknown;
}

function toResult(wire: WireResult, options: QueryOptions) {
  const names = wire.fields.map((field) => field.name);
  const parse = wire.fields.map((field) => types.getTypeParser(field.dataTypeID));
  const rows: Row[] = wire.rows.map((row) =>
    options.arrayMode
      ? row.map((value, column) => (value === null ? null : parse[column]!(value)))
      : Object.fromEntries(row.map((value, column) => [names[column], value === null ? null : parse[column]!(value)])),
  );
  return options.fullResults ? { ...wire, rows, rowAsArray: options.arrayMode === true } : rows;
}

/** A query that runs when awaited, or as part of a `transaction`, like the driver's. */
class NeonQuery implements PromiseLike<unknown> {
  readonly queryData: { query: string; params: unknown[] };
  readonly opts: QueryOptions;
  private readonly run: () => Promise<unknown>;

  constructor(queryData: { query: string; params: unknown[] }, opts: QueryOptions, run: () => Promise<unknown>) {
    this.queryData = queryData;
    this.opts = opts;
    this.run = run;
  }

  then<A = unknown, B = never>(onFulfilled?: ((value: unknown) => A | PromiseLike<A>) | null, onRejected?: ((reason: unknown) => B | PromiseLike<B>) | null) {
    return this.run().then(onFulfilled, onRejected);
  }
}

/** Parameters as the driver sends them: text, with dates as ISO strings and objects as JSON. */
function prepareValue(value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return `{${value.map(arrayElement).join(",")}}`;
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}

function arrayElement(value: unknown): string {
  if (value === null || value === undefined) return "NULL";
  if (Array.isArray(value)) return `{${value.map(arrayElement).join(",")}}`;
  const text = value instanceof Date ? value.toISOString() : typeof value === "object" ? JSON.stringify(value) : String(value);
  return `"${text.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;
}

/**
 * The HTTP query function for a connection string: `sql.query(text, params, options)` and
 * `sql.transaction([queries], options)`, one round trip each.
 */
export function neon(connectionString: string, defaults: QueryOptions = {}) {
  const url = new URL(connectionString);
  // The driver names the scheme in full, as Neon's proxy expects.
  const connection = connectionString.replace(/^postgres:/, "postgresql:");

  async function post(body: unknown, batch?: QueryOptions): Promise<unknown> {
    const endpoint =
      typeof neonConfig.fetchEndpoint === "function" ? neonConfig.fetchEndpoint(url.hostname, url.port, { jwtAuth: false }) : neonConfig.fetchEndpoint;
    const headers: Record<string, string> = {
      "Neon-Connection-String": connection,
      "Neon-Raw-Text-Output": "true",
      "Neon-Array-Mode": "true",
    };
    if (batch?.isolationLevel) headers["Neon-Batch-Isolation-Level"] = batch.isolationLevel;
    if (batch?.readOnly !== undefined) headers["Neon-Batch-Read-Only"] = String(batch.readOnly);
    if (batch?.deferrable !== undefined) headers["Neon-Batch-Deferrable"] = String(batch.deferrable);
    let response: Response;
    try {
      response = await (neonConfig.fetchFunction ?? fetch)(endpoint, { method: "POST", body: JSON.stringify(body), headers });
    } catch (error) {
      const failure = new NeonDbError(`Error connecting to database: ${error}`);
      failure.sourceError = error;
      throw failure;
    }
    if (response.ok) return response.json();
    if (response.status === 400) {
      const fields = (await response.json()) as Record<string, unknown>;
      throw Object.assign(new NeonDbError(String(fields.message)), fields, { name: "NeonDbError" });
    }
    throw new NeonDbError(`Server error (HTTP status ${response.status}): ${await response.text()}`);
  }

  const wire = (queryData: { query: string; params: unknown[] }) => ({
    query: queryData.query,
    params: queryData.params.map(prepareValue),
  });

  const query = (text: string, params: unknown[] = [], options: QueryOptions = {}) => {
    const queryData = { query: text, params };
    const opts = { ...defaults, ...options };
    return new NeonQuery(queryData, opts, async () => toResult((await post(wire(queryData))) as WireResult, opts));
  };

  async function transaction(queries: NeonQuery[], options: QueryOptions = {}) {
    const { results } = (await post({ queries: queries.map((item) => wire(item.queryData)) }, { ...defaults, ...options })) as {
      results: WireResult[];
    };
    return results.map((result, index) => toResult(result, { ...defaults, ...options, ...queries[index]!.opts }));
  }

  /** sql`select ${value}`: the template's values become parameters. */
  const template = (strings: TemplateStringsArray, ...values: unknown[]) =>
    query(strings.reduce((text, part, index) => `${text}$${index}${part}`), values);

  return Object.assign(template, { query, transaction });
}
