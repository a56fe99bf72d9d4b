/**
 * MySQL through @planetscale/database (HTTP). Every connection is its own driver `Connection`,
 * whose session pins one server connection. Locally (env.LOCAL_ENDPOINTS) the driver talks to
 * dev/endpoints, told the target server by a header; in production the host is the PlanetScale
 * endpoint and the credentials pick the database.
 */
import { connect } from '@planetscale/database';
import { type EngineConfig, type LocalEndpoints, type Target, targetOf } from '../config.ts';
import { EngineError } from '../engine.ts';
import { fetchCapped } from '../result-limits.ts';
import { MysqlEngine } from './mysql-engine.ts';
import type { MysqlConnection, MysqlConnector, MysqlRaw } from './mysql-transport.ts';
import { mysqlCast } from './mysql-values.ts';

function planetscaleHttp(t: Target, local: LocalEndpoints | undefined): MysqlConnector {
  return (signal, maxBody): MysqlConnection => {
    let left = maxBody ?? 0;
    const fetcher = (input: string, init?: RequestInit): Promise<Response> => {
      const headers = new Headers(init?.headers);
      let url = input;
      if (local) {
        const ssl = t.sslMode === 'require' || t.sslMode === 'verify-full' ? '?ssl=require' : '';
        const db = t.database ? `/${encodeURIComponent(t.database)}` : '';
        headers.set('X-Atrium-Mysql-Target', `${t.host}:${t.port ?? 3306}${db}${ssl}`);
        // The driver keeps only the origin of its `url`; the stand-in's secret is the path before its API paths.
        url = `${local.planetscale.replace(/\/+$/, '')}${new URL(input).pathname}`;
      }
      const request = { ...init, headers, signal };
      if (!maxBody) return fetch(url, request);
      return fetchCapped(url, request, left, (n) => {
        left = Math.max(0, left - n);
      });
    };
    let conn: ReturnType<typeof connect>;
    if (local) {
      const url = new URL(local.planetscale);
      url.username = encodeURIComponent(t.user ?? '');
      url.password = encodeURIComponent(t.password ?? '');
      conn = connect({ url: url.toString(), fetch: fetcher, cast: mysqlCast });
    } else {
      conn = connect({
        host: t.port ? `${t.host}:${t.port}` : t.host,
        username: t.user,
        password: t.password,
        fetch: fetcher,
        cast: mysqlCast,
      });
    }
    return {
      execute: async (sql, args) =>
        (await conn.execute(sql, args === null ? null : [...args], { as: 'array' })) as unknown as MysqlRaw,
    };
  };
}

export function planetscaleEngine(config: EngineConfig, local: LocalEndpoints | undefined): MysqlEngine {
  const target = targetOf(config, ['mysql', 'mariadb']);
  if (!target.user) throw new EngineError('invalid_config', 'MySQL needs a user name');
  const secrets = [target.password, config.connectionString].filter((s): s is string => !!s);
  const server = `planetscale://${target.user}@${target.host}:${target.port ?? ''}`;
  return new MysqlEngine(planetscaleHttp(target, local), secrets, server);
}
