-- Envelope format version 2 bookkeeping and a locked-down schema.
-- Flyway runs this in schema pgseal. Never edit a migration once released: add V3.

-- How many values were encrypted under each key version. Every pgseal instance counts in memory
-- and adds its count here periodically and when it stops, so the total may lag by one interval.
-- Random 96-bit GCM nonces bound a key to 2^32 encryptions (NIST SP 800-38D); rotation acts on it.
alter table key_versions add column encryptions bigint not null default 0 check (encryptions >= 0);

-- Nothing in the key store is PUBLIC's: wrapped keys and the audit chain are for the store role
-- alone. PostgreSQL grants nothing on a new schema or table to PUBLIC, but functions and procedures get EXECUTE
-- by default and a grant made by hand would otherwise stay. REVOKE of what was never granted is a
-- no-op, so this is idempotent.
revoke all on schema pgseal from public;
revoke all on all tables in schema pgseal from public;
revoke all on all sequences in schema pgseal from public;
revoke all on all routines in schema pgseal from public;
