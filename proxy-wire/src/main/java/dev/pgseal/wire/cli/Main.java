package dev.pgseal.wire.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code pgseal} command line. Exit codes: 0 success, 1 a refused or failed operation, 2 bad
 * usage.
 */
@Command(name = "pgseal", mixinStandardHelpOptions = true, version = "pgseal 0.1.0-SNAPSHOT",
        description = "Transparent encryption proxy for PostgreSQL with an integrated key management service.",
        subcommands = {DemoCommand.class, ServeCommand.class, PolicyCommand.class, KeysCommand.class,
                AuditCommand.class, TokensCommand.class, AlertsCommand.class, MasterKeyCommand.class,
                CommandLine.HelpCommand.class})
public final class Main extends CommandGroup {


    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the command line and returns its exit code (for tests). */
    public static int run(String... args) {
        CommandLine cl = new CommandLine(new Main());
        cl.setExecutionExceptionHandler((e, cmd, parsed) -> {
            cmd.getErr().println("pgseal: " + (e.getMessage() == null ? e.toString() : e.getMessage()));
            return 1;
        });
        return cl.execute(args);
    }

}
