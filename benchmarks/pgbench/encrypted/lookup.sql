-- Lookup by a deterministic column (benchmarks/pgbench/encrypted.sh).
-- pgbench variables are numbers, never strings, and pgseal refuses an expression compared with an
-- encrypted column ('user' || :id || '@example.com'), so the key searched is ssn, a deterministic
-- column holding the 9-digit number 100000000 + id as text: pgbench sends it as one parameter of
-- unspecified type, pgseal turns `ssn = $1` into `ssn = ANY($1::bytea[])` with one envelope per key
-- version. The row comes back with email (deterministic) and note (randomized) to decrypt.
\set ssn 100000000 + random(1, :rows)
SELECT id, email, note, balance FROM accounts WHERE ssn = :ssn;
