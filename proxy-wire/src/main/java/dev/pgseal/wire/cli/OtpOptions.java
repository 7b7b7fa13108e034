package dev.pgseal.wire.cli;

import picocli.CommandLine.Option;

/**
 * The second factor of the commands that call a dangerous endpoint: the current TOTP code of the
 * token's principal, from {@code --otp CODE} or {@code PGSEAL_OTP}, sent in {@code X-Pgseal-Otp}.
 * A code is short-lived and accepted once, so unlike the token it may appear on a command line.
 */
final class OtpOptions {

    static final String HEADER = "X-Pgseal-Otp";
    static final String VARIABLE = "PGSEAL_OTP";

    @Option(names = "--otp", paramLabel = "CODE",
            description = "The current TOTP code of the token's principal (second factor of this dangerous operation; "
                    + "default: the PGSEAL_OTP environment variable). Enrol with: ./pgseal tokens totp-enroll.")
    String otp;

    /**
     * The code from {@code --otp} or {@code PGSEAL_OTP}, or null (the server then refuses and says so).
     *
     * @throws ServerOptions.UsageException when it is not 6 digits
     */
    String code() {
        String c = otp != null ? otp : ServerOptions.environment.apply(VARIABLE);
        if (c == null || c.isBlank()) {
            return null;
        }
        c = c.strip();
        if (!c.matches("[0-9]{6}")) {
            throw new ServerOptions.UsageException((otp != null ? "--otp" : VARIABLE) + ": a TOTP code is 6 digits");
        }
        return c;
    }
}
