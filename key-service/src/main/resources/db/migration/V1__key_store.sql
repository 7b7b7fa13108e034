-- pgseal key store: master keys, key rings, wrapped data-key versions, tamper-evident audit log.
-- Flyway runs this in schema pgseal (its history table lives there too).

create table master_keys (
    label       text primary key,
    state       text not null check (state in ('CURRENT', 'RETIRED', 'DELETED')),
    created_at  timestamptz not null,
    retired_at  timestamptz,
    deleted_at  timestamptz
);
-- At most one current master key.
create unique index master_keys_one_current on master_keys ((true)) where state = 'CURRENT';

create table key_rings (
    id                      integer generated always as identity primary key,
    name                    text not null unique,
    created_at              timestamptz not null,
    rotation_period_seconds bigint check (rotation_period_seconds > 0),
    -- the one ACTIVE version; null only once the ring is deleted
    primary_version         integer,
    min_decryption_version  integer not null default 1 check (min_decryption_version >= 1),
    deletion_due_at         timestamptz,
    deleted_at              timestamptz,
    check ((primary_version is null) = (deleted_at is not null))
);

create table key_versions (
    ring_id          integer not null references key_rings (id),
    version          integer not null check (version >= 1),
    state            text not null
                     check (state in ('PRE_ACTIVE', 'ACTIVE', 'DEACTIVATED', 'COMPROMISED', 'DESTROYED')),
    -- the data key GCM-wrapped under master_key_label; erased (null) once destroyed
    wrapped_material bytea,
    master_key_label text references master_keys (label),
    created_at       timestamptz not null,
    activated_at     timestamptz,
    deactivated_at   timestamptz,
    compromised_at   timestamptz,
    destroyed_at     timestamptz,
    deletion_due_at  timestamptz,
    primary key (ring_id, version),
    check ((state = 'DESTROYED') = (wrapped_material is null)),
    check ((wrapped_material is null) = (master_key_label is null))
);
-- Exactly one ACTIVE (primary) version per ring, enforced by the database as well.
create unique index key_versions_one_active on key_versions (ring_id) where state = 'ACTIVE';
create index key_versions_by_master_key on key_versions (master_key_label) where master_key_label is not null;

-- Append-only hash chain; ids are assigned under an advisory lock (no sequence, so no gaps).
create table audit_log (
    id        bigint primary key,
    at        timestamptz not null,
    actor     text not null,
    action    text not null,
    object    text not null,
    outcome   text not null,
    details   jsonb not null,
    prev_hash bytea not null,
    hash      bytea not null
);

-- Re-encryption jobs arrive with the next migration (V2); nothing here depends on them.
