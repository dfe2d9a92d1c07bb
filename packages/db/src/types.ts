export type DatabaseKind = 'embedded' | 'postgres';

export interface QueryResult<T> {
  rows: T[];
  affectedRows: number;
}

/** What every store needs: parameterised SQL, nothing driver-specific. */
export interface Queryable {
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<QueryResult<T>>;
  /** Runs several statements without parameters (migrations). */
  exec(sql: string): Promise<void>;
  /**
   * `COPY … FROM STDIN`-style bulk load of CSV text, where the driver has it (the embedded
   * database); callers fall back to INSERT when absent. Returns the rows loaded.
   */
  copyCsv?(copySql: string, csv: string): Promise<number>;
}

export interface Database extends Queryable {
  readonly kind: DatabaseKind;
  /** Runs fn inside one transaction; commits when it resolves, rolls back when it throws. */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}
