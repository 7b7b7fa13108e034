package dev.pgseal.keys.encoding;

import dev.pgseal.keys.CanonicalCodec;
import dev.pgseal.policy.LogicalType;

/** The part every codec shares: the logical type it was made for (with its length, if any). */
abstract class TypedCodec implements CanonicalCodec {

    private final LogicalType type;

    TypedCodec(LogicalType type) {
        this.type = type;
    }

    @Override
    public final LogicalType type() {
        return type;
    }
}
