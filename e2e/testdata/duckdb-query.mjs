// Runs one SQL statement with DuckDB (the @duckdb/node-api package) and prints the
// rows as a JSON array. The e2e tests use it to query delivered trail files the way
// the README shows with the duckdb CLI.
import { DuckDBInstance } from '@duckdb/node-api';

const instance = await DuckDBInstance.create(':memory:');
const conn = await instance.connect();
const result = await conn.runAndReadAll(process.argv[2]);
console.log(JSON.stringify(result.getRowObjectsJson()));
