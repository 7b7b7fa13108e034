package dev.pgseal.wire.cli;

import dev.pgseal.policy.CatalogCheck;
import dev.pgseal.policy.CatalogReport;
import dev.pgseal.policy.Policy;
import dev.pgseal.policy.PolicyLoadResult;
import dev.pgseal.policy.PolicyLoader;
import dev.pgseal.policy.PolicySchema;
import dev.pgseal.policy.PolicyValidation;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code pgseal policy …}: check a policy file, derive the DDL it needs, print its JSON Schema. */
@Command(name = "policy", mixinStandardHelpOptions = true,
        description = "Work with encrypted-column policy files (YAML).",
        footer = {"", "Example: ./pgseal policy validate examples/demo/policy.yaml"},
        subcommands = {PolicyCommand.Validate.class, PolicyCommand.Ddl.class, PolicyCommand.Schema.class})
final class PolicyCommand extends CommandGroup {



    @Command(name = "validate", mixinStandardHelpOptions = true,
            description = {"Checks a policy file and prints a summary (tables, columns, keys), or every error "
                    + "with file:line:column.", "Exit code 0 when valid, 1 when not."},
            footer = {"", "Examples:", "  ./pgseal policy validate policy.yaml", "  ./pgseal policy validate policy.yaml --json"})
    static final class Validate implements Callable<Integer> {
        @Parameters(paramLabel = "FILE", description = "The policy file.")
        Path file;

        @Option(names = "--json", description = "Print the result as JSON.")
        boolean json;

        @Override
        public Integer call() {
            PolicyValidation v = PolicyValidation.of(file);
            System.out.print(json ? v.json() : v.text());
            return v.exitCode();
        }
    }

    @Command(name = "ddl", mixinStandardHelpOptions = true,
            description = {"Reads the live catalog of one database and prints, as a SQL script, the statements that "
                    + "make every protected column bytea with its envelope CHECK constraint; everything else it "
                    + "finds (missing tables or columns, what each statement does) is printed as -- comments, so "
                    + "the output can be piped into psql:",
                    "  pgseal policy ddl FILE --upstream URL | psql -v ON_ERROR_STOP=1 URL",
                    "Exit code 0 when the catalog already matches (or the policy's 'databases:' does not list the "
                    + "database), 1 when statements are needed, objects are missing or the catalog cannot be read."},
            footer = {"", "Example: ./pgseal policy ddl policy.yaml --upstream 'jdbc:postgresql://127.0.0.1:5432/shop?user=postgres'"
                    + " | psql -v ON_ERROR_STOP=1 -h 127.0.0.1 -U postgres shop"})
    static final class Ddl implements Callable<Integer> {
        @Parameters(paramLabel = "FILE", description = "The policy file.")
        Path file;

        @Option(names = "--upstream", required = true, paramLabel = "URL",
                description = "The application database, as a JDBC URL (jdbc:postgresql://host:port/db?user=…) "
                        + "or a libpq URL (postgresql://user@host:port/db).")
        String upstream;

        @Override
        public Integer call() {
            PolicyLoadResult loaded = PolicyLoader.load(file);
            if (!loaded.isValid()) {
                System.err.print(PolicyValidation.of(loaded).text());
                return 1;
            }
            Policy policy = loaded.orElseThrow();
            try (Connection c = DriverManager.getConnection(Urls.toJdbc(upstream))) {
                Optional<List<String>> databases = policy.databases();
                if (databases.isPresent()) {
                    String database = currentDatabase(c);
                    if (!databases.get().contains(database)) {
                        // stdout stays SQL: a comment psql skips
                        System.out.println("-- database " + database + " is not covered by this policy (databases: "
                                + String.join(", ", databases.get()) + "): pgseal passes it through untouched,"
                                + " nothing to do");
                        return 0;
                    }
                }
                CatalogReport report = CatalogCheck.check(c, policy);
                System.out.print(report.script());
                return report.isConsistent() ? 0 : 1;
            } catch (SQLException e) {
                System.err.println("pgseal: cannot read the catalog at " + Urls.redact(upstream) + ": " + e.getMessage());
                return 1;
            }
        }
    }

    private static String currentDatabase(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("select pg_catalog.current_database()")) {
            rs.next();
            return rs.getString(1);
        }
    }

    @Command(name = "schema", mixinStandardHelpOptions = true,
            description = "Prints the JSON Schema of the policy file format (for editors and CI checks).",
            footer = {"", "Example: ./pgseal policy schema > policy.schema.json"})
    static final class Schema implements Callable<Integer> {
        @Override
        public Integer call() {
            System.out.println(PolicySchema.text());
            return 0;
        }
    }
}
