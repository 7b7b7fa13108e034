package dev.pgseal.wire.cli;

import dev.pgseal.wire.app.DemoEnvironment;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code pgseal demo}: pgseal on embedded defaults, for a first look. */
@Command(name = "demo", mixinStandardHelpOptions = true,
        footer = {"", "Examples:", "  ./pgseal demo", "  ./pgseal demo --port 7543 --dir /tmp/pgseal-demo"},
        description = {"Runs pgseal on embedded defaults: a PostgreSQL it starts itself, a key store it creates "
                + "itself (a SoftHSM2 token when SoftHSM2 is installed, else a software key store, with a warning), "
                + "the schema and policy of examples/demo/, and the proxy on 127.0.0.1:6543.",
                "Prints a 'proxy: ' and a 'direct: ' connection URL, and one row as stored in PostgreSQL "
                + "(ciphertext) and as pgseal decrypts it. Ctrl-C stops everything it started."})
final class DemoCommand implements Callable<Integer> {

    @Option(names = "--port", defaultValue = "6543", description = "Port of the proxy (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--dir", paramLabel = "DIR",
            description = "Folder for the demo's key store and token (default: $PGSEAL_DEMO_DIR, else .pgseal-demo).")
    Path dir;

    @Option(names = "--exit-when-ready", hidden = true, description = "Stop once the demo is up (for tests).")
    boolean exitWhenReady;

    @Override
    public Integer call() throws Exception {
        Path folder = dir != null ? dir
                : Path.of(System.getenv().getOrDefault("PGSEAL_DEMO_DIR", ".pgseal-demo"));
        DemoEnvironment demo;
        try {
            demo = DemoEnvironment.start(folder, port, System.out);
        } catch (NoClassDefFoundError e) {
            // The embedded PostgreSQL is not in the server jar: ./pgseal adds target/demo-lib for demo.
            System.err.println("pgseal demo: the embedded PostgreSQL is missing from the class path ("
                    + e.getMessage() + "); run the demo as ./pgseal demo");
            return 1;
        }
        if (exitWhenReady) {
            demo.close();
            return 0;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(demo::close, "pgseal-demo-shutdown"));
        System.out.println();
        System.out.println("pgseal demo is running; press Ctrl-C to stop.");
        Thread.currentThread().join();
        return 0;
    }
}
