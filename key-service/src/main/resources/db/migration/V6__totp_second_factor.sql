-- The TOTP second factor (RFC 6238) of admin API principals. Flyway runs this in schema pgseal.
-- Never edit a migration once released: add a new one.

-- One enrolment per principal. The secret is never stored in the clear: it is AES-GCM-wrapped under
-- a master key in the HSM (associated data: a purpose tag and the principal's name), like data keys,
-- and re-wrapped with them when the master key is rotated. last_step is the newest time step whose
-- code was accepted: that code and older ones are refused (replay), and the row is read under a row
-- lock, so two instances cannot both accept one code. failures counts refused codes in a row; at 5
-- the factor is locked until locked_until.
create table totp_enrollments (
    principal        text primary key references principals (name),
    secret_wrapped   bytea not null check (length(secret_wrapped) between 29 and 128),
    master_key_label text not null references master_keys (label),
    enrolled_at      timestamptz not null default now(),
    enrolled_by      text not null,
    last_step        bigint not null default -1,
    last_used_at     timestamptz,
    failures         integer not null default 0 check (failures >= 0),
    locked_until     timestamptz
);
create index totp_enrollments_by_master_key on totp_enrollments (master_key_label);

revoke all on totp_enrollments from public;
