-- Key types and data-plane grants. Flyway runs this in schema pgseal. Never edit a migration once
-- released: add a new one.

-- What a ring's versions are. Existing rings are AES-256-GCM rings (the data keys of policy keys);
-- the type never changes. The names are a stored format (dev.pgseal.keys.kms.KeyType).
alter table key_rings add column key_type text not null default 'aes-256-gcm'
    check (key_type in ('aes-256-gcm', 'rsa-3072-oaep', 'rsa-3072-pss', 'ec-p256', 'ed25519', 'ml-dsa-65',
                        'ml-kem-768'));

-- The public key (X.509 SubjectPublicKeyInfo, DER) of a version of an asymmetric ring, in the clear.
-- The private key sits in wrapped_material, wrapped under the master key together with a copy of
-- this public key: pgseal computes with the wrapped copy and refuses a version whose clear copy
-- differs, so rewriting this column cannot make pgseal verify or encrypt under another key.
alter table key_versions add column public_key bytea check (public_key is null or length(public_key) between 32 and 4096);

-- Which app principals may call which data-plane operations on which rings. No row, no access
-- (least privilege by default); a revocation deletes the row and is effective for the next request
-- on every instance, since every call reads it. Changes are audited with the change.
create table key_grants (
    ring_id     integer not null references key_rings (id),
    principal   text not null references principals (name),
    operations  text[] not null check (cardinality(operations) >= 1 and operations <@ array[
                    'encrypt', 'decrypt', 'generate-data-key', 're-encrypt', 'sign', 'verify', 'encapsulate',
                    'decapsulate', 'public-key']::text[]),
    granted_at  timestamptz not null default now(),
    granted_by  text not null,
    primary key (ring_id, principal)
);
create index key_grants_by_principal on key_grants (principal);

revoke all on key_grants from public;
