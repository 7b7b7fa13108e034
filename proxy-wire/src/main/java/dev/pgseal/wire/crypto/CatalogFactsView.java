package dev.pgseal.wire.crypto;

import dev.pgseal.policy.CatalogFacts;
import dev.pgseal.policy.QualifiedName;
import dev.pgseal.sql.CatalogView;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The planner's {@link CatalogView} over the {@link CatalogFacts} the catalog check read (policy
 * cannot depend on sql-rewriter, so the adapter lives with the code that joins them).
 *
 * @param facts the database's facts
 */
public record CatalogFactsView(CatalogFacts facts) implements CatalogView {

    public CatalogFactsView {
        Objects.requireNonNull(facts, "facts");
    }

    @Override
    public Optional<List<String>> columns(QualifiedName table) {
        return facts.columns(table);
    }

    @Override
    public Set<String> schemasHolding(String name) {
        return facts.schemasHolding(name);
    }
}
