package dev.pgseal.wire.protocol.startup;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pgseal.wire.protocol.startup.StartupOptions.Setting;
import dev.pgseal.wire.protocol.startup.StartupOptions.Word;
import java.util.List;
import org.junit.jupiter.api.Test;

class StartupOptionsTest {
    @Test
    void dashCAndDoubleDashSetParametersWithDashesInNamesReadAsUnderscores() {
        assertThat(StartupOptions.parse("-c search_path=a -cgeqo=off --statement-timeout=5s"))
                .containsExactly(new Setting("search_path", "a"), new Setting("geqo", "off"),
                        new Setting("statement_timeout", "5s"));
    }

    @Test
    void aBackslashEscapesTheSpaceThatWouldEndTheWord() {
        assertThat(StartupOptions.parse("-c search_path=a,\\ pgseal  -c x=\\\\y"))
                .containsExactly(new Setting("search_path", "a, pgseal"), new Setting("x", "\\y"));
    }

    @Test
    void anyWhiteSpaceSeparatesWordsAndATrailingBackslashIsDropped() {
        assertThat(StartupOptions.split("\t-c\na=b\\")).containsExactly("-c", "a=b");
    }

    @Test
    void otherSwitchesBareWordsAndASettingWithoutValueAreKeptForTheCallerToRefuse() {
        List<StartupOptions.Item> items = StartupOptions.parse("-B 10 -- --x -c");
        assertThat(items).containsExactly(new Word("-B"), new Word("10"), new Word("--"), new Setting("x", null), new Word("-c"));
    }

    @Test
    void theValueMayHoldEqualsSigns() {
        assertThat(StartupOptions.parse("--options=-c=x")).containsExactly(new Setting("options", "-c=x"));
    }
}
