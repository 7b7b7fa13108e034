-- Client certificates of admin API principals. Flyway runs this in schema pgseal. Never edit a
-- migration once released: add a new one.

-- A certificate authenticates a principal only while its SHA-256 fingerprint (of the DER
-- certificate, lower-case hex) has a row here: the CA named by admin.tls.client_ca checks the
-- certificate in the TLS handshake, this table says whose it is. A CA alone grants nothing.
-- Revocation deletes the row (the audit log keeps the history); every request reads this table, so
-- it holds for the next request on every instance. Subject, issuer, serial and expiry are copies
-- for listing only: authentication looks at the fingerprint alone.
create table principal_certificates (
    fingerprint text primary key check (fingerprint ~ '^[0-9a-f]{64}$'),
    principal   text not null references principals (name),
    subject     text not null,
    issuer      text not null,
    serial      text not null,
    not_after   timestamptz not null,
    created_at  timestamptz not null default now(),
    created_by  text not null
);
create index principal_certificates_by_principal on principal_certificates (principal);

revoke all on principal_certificates from public;
