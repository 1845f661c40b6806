/**
 * `npm run schema:dump`: migrates a throw-away database on the server of $DATABASE_URL, writes its
 * normalised schema to migrations/schema.sql, and drops the database. Run it after adding a
 * migration (with `eval "$(bash scripts/services.sh --env)"` for DATABASE_URL).
 */
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { Pool } from 'pg';
import { adminQuery } from '../src/db/admin';
import { migrate } from '../src/db/migrate';
import { dumpSchema, SCHEMA_DUMP_FILE } from '../src/db/schemaDump';

async function main(): Promise<void> {
  const adminUrl = process.env.DATABASE_URL;
  if (!adminUrl) throw new Error('DATABASE_URL is not set; run eval "$(bash scripts/services.sh --env)" first');
  const name = `ecology_schema_${randomBytes(6).toString('hex')}`;
  await adminQuery(adminUrl, `CREATE DATABASE ${name}`);
  try {
    const u = new URL(adminUrl);
    u.pathname = `/${name}`;
    const pool = new Pool({ connectionString: u.toString(), max: 1 });
    try {
      await migrate(pool);
    } finally {
      await pool.end();
    }
    writeFileSync(SCHEMA_DUMP_FILE, dumpSchema(u.toString()));
    process.stdout.write(`wrote ${SCHEMA_DUMP_FILE}\n`);
  } finally {
    await adminQuery(adminUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  }
}

main().catch((e: Error) => {
  process.stderr.write(`schema:dump: ${e.message}\n`);
  process.exit(1);
});
