package dev.pgseal.wire.cli;

import dev.pgseal.policy.CatalogCheck;
import dev.pgseal.policy.CatalogReport;
import dev.pgseal.policy.PolicyLoadResult;
import dev.pgseal.policy.PolicyLoader;
import dev.pgseal.policy.PolicySchema;
import dev.pgseal.policy.PolicyValidation;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code pgseal policy …}: check a policy file, derive the DDL it needs, print its JSON Schema. */
@Command(name = "policy", mixinStandardHelpOptions = true,
        description = "Work with encrypted-column policy files (YAML).",
        subcommands = {PolicyCommand.Validate.class, PolicyCommand.Ddl.class, PolicyCommand.Schema.class})
final class PolicyCommand extends CommandGroup {



    @Command(name = "validate", mixinStandardHelpOptions = true,
            description = {"Checks a policy file and prints a summary (tables, columns, keys), or every error "
                    + "with file:line:column.", "Exit code 0 when valid, 1 when not."})
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
            description = {"Reads the live catalog and prints the ALTER TABLE statements that make every "
                    + "protected column bytea, and the policy tables or columns that do not exist.",
                    "Exit code 0 when the catalog already matches, 1 when statements are needed or objects are "
                    + "missing."})
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
            try (Connection c = DriverManager.getConnection(Urls.toJdbc(upstream))) {
                CatalogReport report = CatalogCheck.check(c, loaded.orElseThrow());
                System.out.print(report.text());
                return report.isConsistent() ? 0 : 1;
            } catch (SQLException e) {
                System.err.println("pgseal: cannot read the catalog at " + Urls.redact(upstream) + ": " + e.getMessage());
                return 1;
            }
        }
    }

    @Command(name = "schema", mixinStandardHelpOptions = true,
            description = "Prints the JSON Schema of the policy file format (for editors and CI checks).")
    static final class Schema implements Callable<Integer> {
        @Override
        public Integer call() {
            System.out.println(PolicySchema.text());
            return 0;
        }
    }
}
