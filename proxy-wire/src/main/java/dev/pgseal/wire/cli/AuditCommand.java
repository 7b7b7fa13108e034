package dev.pgseal.wire.cli;

import dev.pgseal.keys.AuditVerification;
import dev.pgseal.keys.StoreSettings;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code pgseal audit …}: the tamper-evident audit log. */
@Command(name = "audit", mixinStandardHelpOptions = true, description = "Check the tamper-evident audit log.",
        subcommands = {AuditCommand.Verify.class})
final class AuditCommand extends CommandGroup {



    @Command(name = "verify", mixinStandardHelpOptions = true,
            description = {"Verifies the hash chain of pgseal.audit_log (offline, against the store) and names the "
                    + "first broken link: an edited, deleted or reordered event.",
                    "Exit code 0 when the chain is intact, 1 when it is broken or cannot be read."})
    static final class Verify implements Callable<Integer> {
        @Mixin
        StoreOptions options;

        @Override
        public Integer call() {
            StoreSettings store = options.store();
            return store == null ? 1 : AuditVerification.run(store, options.json, System.out, System.err);
        }
    }
}
