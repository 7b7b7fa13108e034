package dev.pgseal.sql;

import dev.pgseal.policy.QualifiedName;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * What the planner needs to know about the catalog of the session's database (a snapshot taken
 * by the proxy's catalog check; the planner itself opens no connection).
 */
public interface CatalogView {

    /** The column names of {@code table} in column-number order (dropped columns left out), if it is a table. */
    Optional<List<String>> columns(QualifiedName table);

    /**
     * The schemas of the database that hold a relation named {@code name} (catalog form). An
     * unqualified name of a protected table resolves only when this is exactly the protected
     * table's schema; otherwise the planner cannot tell which relation the search_path picks, and
     * refuses.
     */
    Set<String> schemasHolding(String name);
}
