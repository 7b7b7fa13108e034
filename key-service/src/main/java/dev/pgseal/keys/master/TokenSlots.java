package dev.pgseal.keys.master;

import dev.pgseal.keys.MasterKeyStoreException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Finds a PKCS#11 slot by token label. SunPKCS11 on JDK 17 selects tokens only by slot id or slot
 * list index, and slot ids change whenever a token is (re)initialised, so pgseal reads the slot list
 * itself through the JDK's own PKCS#11 wrapper (the same loaded module SunPKCS11 then uses). That
 * needs {@code --add-exports=jdk.crypto.cryptoki/sun.security.pkcs11.wrapper=ALL-UNNAMED} on the
 * command line (or {@code Add-Exports} in the jar manifest).
 */
final class TokenSlots {

    static final String REQUIRED_JVM_OPTION = "--add-exports=jdk.crypto.cryptoki/sun.security.pkcs11.wrapper=ALL-UNNAMED";

    private static final long CKF_OS_LOCKING_OK = 0x2;

    private TokenSlots() {
    }

    /** The slot id of the token labelled {@code label}. */
    static long slotOf(Path library, String label) {
        List<String> seen = new ArrayList<>();
        try {
            Class<?> pkcs11 = Class.forName("sun.security.pkcs11.wrapper.PKCS11");
            Class<?> initArgs = Class.forName("sun.security.pkcs11.wrapper.CK_C_INITIALIZE_ARGS");
            Method getInstance = pkcs11.getMethod("getInstance", String.class, String.class, initArgs, boolean.class);
            // Initialise the module exactly as SunPKCS11 would (it reuses this instance): with OS
            // locking, or a module such as SoftHSM2 runs without mutexes and crashes under threads.
            Object args = initArgs.getConstructor().newInstance();
            initArgs.getField("flags").setLong(args, CKF_OS_LOCKING_OK);
            Object module = getInstance.invoke(null, library.toString(), "C_GetFunctionList", args, false);
            long[] slots = (long[]) pkcs11.getMethod("C_GetSlotList", boolean.class).invoke(module, true);
            Method tokenInfo = pkcs11.getMethod("C_GetTokenInfo", long.class);
            for (long slot : slots) {
                Object info = tokenInfo.invoke(module, slot);
                String l = new String((char[]) info.getClass().getField("label").get(info)).trim();
                if (l.equals(label)) {
                    return slot;
                }
                if (!l.isEmpty()) {
                    seen.add("'" + l + "'");
                }
            }
        } catch (IllegalAccessException | ClassNotFoundException | NoSuchMethodException | NoSuchFieldException
                | InstantiationException e) {
            throw new MasterKeyStoreException("cannot select PKCS#11 token '" + label + "' by label: start the JVM with "
                    + REQUIRED_JVM_OPTION, e);
        } catch (InvocationTargetException e) {
            throw new MasterKeyStoreException("cannot read the slot list of PKCS#11 library " + library + ": "
                    + GcmKeyWrap.rootMessage(e.getCause()), e.getCause());
        }
        throw new MasterKeyStoreException("no PKCS#11 token labelled '" + label + "' in " + library
                + (seen.isEmpty() ? " (no initialised tokens)" : " (tokens present: " + String.join(", ", seen) + ")"));
    }
}
