/**
 * Names inside a data dir that both sides need: the worker opens the database there, the main
 * thread locks the dir and judges why an open failed. Kept apart from open.ts so that the main
 * thread never loads PGlite.
 */
import { join } from 'node:path';

export const PGDATA = 'pgdata';

export const pgdataOf = (dataDir: string): string => join(dataDir, PGDATA);
