-- Insert with two encrypted columns (benchmarks/pgbench/encrypted.sh): email (deterministic) and
-- note (randomized), each a parameter that pgseal encrypts on Bind; id comes from the identity.
-- The values are numbers (pgbench variables cannot hold strings) sent as text of unspecified type.
\set email random(1, 1000000000)
\set note random(1, 1000000000)
\set balance random(-5000, 5000)
INSERT INTO accounts (email, note, balance) VALUES (:email, :note, :balance);
