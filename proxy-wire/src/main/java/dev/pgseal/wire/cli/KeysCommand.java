package dev.pgseal.wire.cli;

import dev.pgseal.keys.KeysListing;
import dev.pgseal.keys.StoreSettings;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code pgseal keys …}: key rings, versions and states. */
@Command(name = "keys", mixinStandardHelpOptions = true, description = "Inspect key rings and their versions.",
        subcommands = {KeysCommand.ListRings.class})
final class KeysCommand extends CommandGroup {



    @Command(name = "list", mixinStandardHelpOptions = true,
            description = {"Lists every key ring with its versions, states and the primary version, read from the "
                    + "store (offline: no running server needed). Never prints key material."})
    static final class ListRings implements Callable<Integer> {
        @Mixin
        StoreOptions options;

        @Override
        public Integer call() {
            StoreSettings store = options.store();
            return store == null ? 1 : KeysListing.run(store, options.json, System.out, System.err);
        }
    }
}
