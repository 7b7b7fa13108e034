-- The audit chain becomes keyed: from here on every event also carries an HMAC-SHA256 link computed
-- in the HSM with the audit key (see AuditLog). Flyway runs this in schema pgseal. Never edit a
-- migration once released: add V4.

-- HMAC-SHA256 over the event's fields and the previous link; null for events that predate this
-- migration (they keep their plain SHA-256 chain, and the first keyed event's MAC covers the hash of
-- the last of them).
alter table audit_log add column mac bytea check (mac is null or length(mac) = 32);

-- Where the keyed chain starts: the first id written after this migration. One row. Checkpoints
-- written outside PostgreSQL record it too, so moving it (to pass keyed events off as plain ones)
-- is detected.
create table audit_chain (
    one_row    boolean primary key default true check (one_row),
    keyed_from bigint not null check (keyed_from >= 1)
);
insert into audit_chain (keyed_from) select coalesce(max(id), 0) + 1 from audit_log;

revoke all on audit_chain from public;
