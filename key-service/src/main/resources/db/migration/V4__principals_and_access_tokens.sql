-- Principals and bearer tokens of the admin API. Flyway runs this in schema pgseal. Never edit a
-- migration once released: add V5.

-- Who may call the admin API, and as what. One role per principal, so a principal's rights do not
-- depend on which of its tokens it presents; a second factor (TOTP) will be enrolled per principal.
create table principals (
    name        text primary key check (name ~ '^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$'),
    role        text not null check (role in ('ADMIN', 'OPERATOR', 'AUDITOR', 'APP')),
    created_at  timestamptz not null default now(),
    created_by  text not null
);

-- Tokens are shown once and stored as SHA-256 of the whole token text: they carry 256 random bits,
-- so a slow password hash would add nothing. The id is the public part of the token (it selects the
-- row); the hash is compared in constant time. Revocation is a timestamp, checked on every request.
create table access_tokens (
    id          text primary key check (id ~ '^[0-9a-f]{16}$'),
    principal   text not null references principals (name),
    token_hash  bytea not null check (length(token_hash) = 32),
    created_at  timestamptz not null default now(),
    created_by  text not null,
    revoked_at  timestamptz,
    revoked_by  text,
    check ((revoked_at is null) = (revoked_by is null))
);
create index access_tokens_by_principal on access_tokens (principal);

revoke all on principals from public;
revoke all on access_tokens from public;
