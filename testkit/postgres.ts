// A throw-away PostgreSQL 15 cluster for tests: initdb into a temp dir, postgres on a free
// loopback port, fsync off (nothing here must survive a crash), removed by stop(). We run
// as root and PostgreSQL refuses to, so the cluster runs as the `postgres` user and its
// folder is handed to that user. halt()/start() stop and restart the same cluster (the
// database going away and coming back while ferry runs).
import { execFile } from 'node:child_process';
import { chown, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './net.js';

const run = promisify(execFile);
export const PG_BIN = process.env.FERRY_TEST_PG_BIN ?? '/usr/lib/postgresql/15/bin';

export interface PostgresCluster {
  /** postgres://postgres@127.0.0.1:<port>/postgres (trust authentication on loopback). */
  url: string;
  port: number;
  dir: string;
  /** A URL for another database in this cluster, created on first use. */
  database(name: string): Promise<string>;
  /** Run SQL through psql as the superuser; returns psql's unaligned output. */
  psql(sql: string, database?: string): Promise<string>;
  /** Stop the server now (fast mode: connections cut, data kept). */
  halt(): Promise<void>;
  /** Start it again on the same port. */
  start(): Promise<void>;
  /** Stop the server and remove the folder. */
  stop(): Promise<void>;
}

async function asPostgres(cmd: string, args: string[]): Promise<string> {
  const { stdout } = await run('runuser', ['-u', 'postgres', '--', join(PG_BIN, cmd), ...args], { maxBuffer: 64 * 1024 * 1024 });
  return stdout;
}

async function postgresIds(): Promise<{ uid: number; gid: number }> {
  const uid = Number((await run('id', ['-u', 'postgres'])).stdout.trim());
  const gid = Number((await run('id', ['-g', 'postgres'])).stdout.trim());
  return { uid, gid };
}

export async function startPostgres(): Promise<PostgresCluster> {
  const dir = await mkdtemp(join(tmpdir(), 'ferry-pg-'));
  const { uid, gid } = await postgresIds();
  await chown(dir, uid, gid);
  const data = join(dir, 'data');
  const port = await freePort();
  await asPostgres('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8', '--locale=C']);
  const options = [
    `-p ${port}`,
    `-k ${dir}`,
    "-c listen_addresses='127.0.0.1'",
    '-c fsync=off',
    '-c synchronous_commit=off',
    '-c full_page_writes=off',
    '-c max_connections=200',
    '-c shared_buffers=16MB',
  ].join(' ');
  const start = async () => {
    await asPostgres('pg_ctl', ['-D', data, '-l', join(dir, 'server.log'), '-o', options, '-w', '-t', '30', 'start']);
  };
  const halt = async () => {
    await asPostgres('pg_ctl', ['-D', data, '-m', 'fast', '-w', 'stop']).catch(() => undefined);
  };
  await start();
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  const created = new Set<string>();
  const psql = (sql: string, database = 'postgres') =>
    asPostgres('psql', ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', '-d', database, '-v', 'ON_ERROR_STOP=1', '-At', '-c', sql]);
  return {
    url,
    port,
    dir,
    psql,
    async database(name: string) {
      if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`bad database name ${name}`);
      if (!created.has(name)) {
        await psql(`CREATE DATABASE ${name}`);
        created.add(name);
      }
      return `postgres://postgres@127.0.0.1:${port}/${name}`;
    },
    halt,
    start,
    async stop() {
      await halt();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
