package dev.pgseal.keys.access;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pgseal.keys.KeyService;
import dev.pgseal.keys.StoreSettings;
import dev.pgseal.keys.audit.AuditEvent;
import dev.pgseal.keys.audit.AuditQuery;
import dev.pgseal.testing.hsm.SoftHsmToken;
import dev.pgseal.testing.hsm.TestStores;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Principals and bearer tokens in a real store, audited in the keyed log (SoftHSM2 token). */
class AccessTokensIT {

    private static final SoftHsmToken TOKEN = SoftHsmToken.get();
    private static final AtomicInteger LABELS = new AtomicInteger();

    private StoreSettings store;
    private KeyService keys;
    private AccessTokens tokens;

    @BeforeEach
    void open() {
        store = TestStores.freshStore("access_it");
        keys = KeyService.open(TOKEN.keystoreSettings("mk-access-" + LABELS.incrementAndGet()), store, Clock.systemUTC());
        tokens = keys.accessTokens();
    }

    @AfterEach
    void close() {
        keys.close();
    }

    @Test
    void aCreatedTokenAuthenticatesItsPrincipalWithItsRole() {
        IssuedToken t = tokens.create("alice", Role.OPERATOR, "local:root");

        assertThat(t.secretText()).matches("pgs_[0-9a-f]{16}_[A-Za-z0-9_-]{43}");
        assertThat(t.toString()).doesNotContain(t.secretText());
        Authentication a = tokens.authenticate(t.secretText());
        assertThat(a.principal()).isEqualTo(new Principal("alice", Role.OPERATOR, t.metadata().id()));
    }

    @Test
    void onlyTheHashIsStored() throws Exception {
        IssuedToken t = tokens.create("alice", Role.ADMIN, "local:root");
        String secret = t.secretText().substring(t.secretText().lastIndexOf('_') + 1);
        try (Connection c = DriverManager.getConnection(store.jdbcUrl(), store.user(), null);
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("select t::text from pgseal.access_tokens t")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).doesNotContain(secret).doesNotContain(t.secretText());
        }
    }

    @ParameterizedTest(name = "\"{0}\" is refused")
    @ValueSource(strings = {"", "Bearer x", "pgs_0123456789abcdef_short", "pgs_nothex0123456789_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        "xyz_0123456789abcdef_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        "pgs_0123456789abcdef_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"})
    void malformedAndUnknownTokensAreRefused(String bearer) {
        tokens.create("alice", Role.ADMIN, "local:root");
        assertThat(tokens.authenticate(bearer).principal()).isNull();
        assertThat(tokens.authenticate(bearer).failure()).isNotBlank();
    }

    @Test
    void theRightIdWithAWrongSecretIsRefused() {
        IssuedToken t = tokens.create("alice", Role.ADMIN, "local:root");
        String text = t.secretText();
        char last = text.charAt(text.length() - 1);
        String forged = text.substring(0, text.length() - 1) + (last == 'A' ? 'B' : 'A');
        assertThat(tokens.authenticate(forged).failure()).isEqualTo("wrong secret for token " + t.metadata().id());
    }

    @Test
    void revocationIsEffectiveForTheNextCheck() {
        IssuedToken t = tokens.create("alice", Role.ADMIN, "local:root");
        IssuedToken other = tokens.create("alice", Role.ADMIN, "local:root");
        assertThat(tokens.authenticate(t.secretText()).principal()).isNotNull();

        AccessToken revoked = tokens.revoke(t.metadata().id(), "bob");

        assertThat(revoked.revokedBy()).isEqualTo("bob");
        assertThat(revoked.active()).isFalse();
        assertThat(tokens.authenticate(t.secretText()).failure()).startsWith("token " + t.metadata().id() + " was revoked");
        // Another instance sees it too: it reads the same store, and nothing is cached.
        assertThat(keys.accessTokens().authenticate(t.secretText()).principal()).isNull();
        assertThat(tokens.authenticate(other.secretText()).principal()).isNotNull();
        assertThatThrownBy(() -> tokens.revoke(t.metadata().id(), "bob"))
                .isInstanceOf(AccessException.class).hasMessageContaining("already revoked");
        assertThatThrownBy(() -> tokens.revoke("0000000000000000", "bob"))
                .isInstanceOf(AccessException.class).matches(e -> ((AccessException) e).unknownObject());
    }

    @Test
    void onePrincipalHasOneRole() {
        tokens.create("alice", Role.AUDITOR, "local:root");
        assertThatThrownBy(() -> tokens.create("alice", Role.ADMIN, "local:root"))
                .isInstanceOf(AccessException.class)
                .hasMessage("principal alice exists with role auditor, not admin: one role per principal (use another name)");
        assertThat(tokens.list()).hasSize(1);
    }

    @ParameterizedTest(name = "principal name \"{0}\" is refused")
    @ValueSource(strings = {"", "-lead", "has space", "semi;colon"})
    void invalidPrincipalNamesAreRefused(String name) {
        assertThatThrownBy(() -> tokens.create(name, Role.ADMIN, "local:root"))
                .isInstanceOf(AccessException.class).hasMessageStartingWith("invalid principal name");
    }

    @Test
    void creationsRevocationsAndRefusalsAreAudited() {
        IssuedToken t = tokens.create("alice", Role.ADMIN, "local:root");
        tokens.revoke(t.metadata().id(), "alice");
        assertThatThrownBy(() -> tokens.create("alice", Role.APP, "local:root")).isInstanceOf(AccessException.class);

        List<AuditQuery.Entry> events = keys.auditEvents(new AuditQuery(null, null, null, 100)).stream()
                .filter(e -> e.action().startsWith("token.")).toList();
        assertThat(events).extracting(AuditQuery.Entry::action, AuditQuery.Entry::actor, AuditQuery.Entry::outcome)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("token.create", "local:root", AuditEvent.Outcome.SUCCESS),
                        org.assertj.core.groups.Tuple.tuple("token.revoke", "alice", AuditEvent.Outcome.SUCCESS),
                        org.assertj.core.groups.Tuple.tuple("token.create", "local:root", AuditEvent.Outcome.DENIED));
        assertThat(events.get(0).object()).isEqualTo("token:" + t.metadata().id());
        assertThat(events.get(0).details()).containsEntry("principal", "alice").containsEntry("role", "admin");
        assertThat(keys.verifyAuditLog().intact()).isTrue();
    }

    @Test
    void auditQueriesFilterByActorActionAndTime() {
        tokens.create("alice", Role.ADMIN, "one");
        tokens.create("bob", Role.ADMIN, "two");
        tokens.create("carol", Role.ADMIN, "one");

        assertThat(keys.auditEvents(new AuditQuery(null, "one", "token.create", 10))).hasSize(2);
        List<AuditQuery.Entry> newest = keys.auditEvents(new AuditQuery(null, null, "token.create", 2));
        assertThat(newest).extracting(AuditQuery.Entry::actor).containsExactly("two", "one");
        java.time.Instant since = newest.get(1).at();
        assertThat(keys.auditEvents(new AuditQuery(since, null, "token.create", 10))).extracting(AuditQuery.Entry::actor)
                .containsExactly("one");
        assertThatThrownBy(() -> new AuditQuery(null, null, null, 0)).isInstanceOf(IllegalArgumentException.class);
    }
}
