package dev.pgseal.wire.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code pgseal} command line: {@code ./pgseal COMMAND …}. */
@Command(name = "pgseal", mixinStandardHelpOptions = true, version = "pgseal 0.1.0-SNAPSHOT",
        description = "Transparent encryption proxy for PostgreSQL with an integrated key management service.",
        subcommands = {CommandLine.HelpCommand.class})
public final class Main implements Runnable {

    public static void main(String[] args) {
        System.exit(new CommandLine(new Main()).execute(args));
    }

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }
}
