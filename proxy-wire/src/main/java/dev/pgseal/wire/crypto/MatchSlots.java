package dev.pgseal.wire.crypto;

import dev.pgseal.sql.ParameterPlan;
import dev.pgseal.sql.StatementPlan;
import dev.pgseal.sql.ValueUse;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToIntFunction;

/**
 * How the equality parameters of one prepared statement travel. A parameter compared with a
 * deterministic column must match one envelope per live key version. Sent as one {@code bytea[]}
 * ({@code col = ANY($1)}), PostgreSQL cannot know the array's length when it plans the statement,
 * so it never keeps a generic plan and plans again at every execution. So each such parameter
 * becomes a fixed number of {@code bytea} slots — {@code col = ANY(ARRAY[$1, $4])} — the first slot
 * being the client's own parameter and the others added after every parameter of the statement:
 * PostgreSQL then plans once. Slots are at least {@link #MIN_SLOTS} (so one rotation still fits)
 * and at least the ring's live versions when the statement is prepared; fewer envelopes repeat the
 * last, none (a value no row can hold) fill every slot with an empty {@code bytea}, which no
 * envelope equals, and NULL fills every slot with NULL. A Bind whose value has more envelopes than
 * slots (a ring that gained versions since) cannot use the statement: see {@link #fits}.
 */
public final class MatchSlots {

    /** Slots per parameter at least: the live versions of a ring plus room for one rotation. */
    public static final int MIN_SLOTS = 2;

    /** No slots: every equality parameter travels as one {@code bytea[]}. */
    public static final MatchSlots NONE = new MatchSlots(0, Map.of(), 0);

    private final int visible;
    /** Parameter number → its slots' parameter numbers (the first is the parameter itself). */
    private final Map<Integer, int[]> slots;
    private final int total;

    private MatchSlots(int visible, Map<Integer, int[]> slots, int total) {
        this.visible = visible;
        this.slots = slots;
        this.total = total;
    }

    /**
     * The slots of {@code plan}'s equality parameters, numbered after its highest parameter and
     * after the {@code declaredTypes} types the client declared.
     *
     * @param liveVersions the live versions of a key ring now (its keys are in memory)
     */
    public static MatchSlots of(StatementPlan.Rewrite plan, int declaredTypes, ToIntFunction<String> liveVersions) {
        int visible = Math.max(plan.highestParameter(), declaredTypes);
        Map<Integer, int[]> slots = new LinkedHashMap<>();
        int next = visible;
        for (ParameterPlan p : plan.parameters()) {
            if (p.use() != ValueUse.MATCH) {
                continue;
            }
            int n = Math.max(MIN_SLOTS, liveVersions.applyAsInt(p.target().column().key()));
            int[] numbers = new int[n];
            numbers[0] = p.number();
            for (int i = 1; i < n; i++) {
                numbers[i] = ++next;
            }
            slots.put(p.number(), numbers);
        }
        return slots.isEmpty() ? NONE : new MatchSlots(visible, Map.copyOf(slots), next);
    }

    /** Whether no parameter has slots. */
    public boolean isEmpty() {
        return slots.isEmpty();
    }

    /** The parameters the client's statement has (those the client binds and sees described). */
    public int visibleCount() {
        return visible;
    }

    /** All parameters of the statement pgseal prepares: the client's and the added slots. */
    public int totalCount() {
        return total;
    }

    /** The text standing for parameter {@code n}: {@code ARRAY[$n, $a, …]} for a slotted one, else {@code $n}. */
    public String render(int n) {
        int[] numbers = slots.get(n);
        if (numbers == null) {
            return "$" + n;
        }
        StringBuilder sb = new StringBuilder("ARRAY[");
        for (int i = 0; i < numbers.length; i++) {
            sb.append(i == 0 ? "" : ", ").append('$').append(numbers[i]).append("::bytea");
        }
        return sb.append(']').toString();
    }

    /**
     * The parameter types of the Parse pgseal sends: the client's declared types, {@code bytea} for
     * stored values, {@code bytea} for every slot, {@code bytea[]} for an equality parameter
     * without slots.
     */
    public int[] parseTypes(int[] clientTypes, List<ParameterPlan> parameters) {
        int[] types = ParameterEncryption.parseTypes(clientTypes, parameters);
        if (isEmpty()) {
            return types;
        }
        types = Arrays.copyOf(types, Math.max(types.length, total));
        for (int[] numbers : slots.values()) {
            for (int n : numbers) {
                types[n - 1] = PgTypes.BYTEA;
            }
        }
        return types;
    }

    /** The slots' parameter numbers of parameter {@code n}, or null when it has none. */
    int[] slotsOf(int n) {
        return slots.get(n);
    }

    /** Whether {@code envelopes} envelopes of parameter {@code n} fit its slots (always, without slots). */
    public boolean fits(int n, int envelopes) {
        int[] numbers = slots.get(n);
        return numbers == null || envelopes <= numbers.length;
    }
}
