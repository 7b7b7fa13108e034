package dev.pgseal.policy.yaml;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.lowlevel.Compose;
import org.snakeyaml.engine.v2.common.ScalarStyle;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;

/**
 * Reads one YAML document into a tree of {@link YamlNode}s that keep file, line and column.
 * Syntax errors, duplicate keys and non-scalar keys become {@link Diagnostic}s instead of
 * exceptions. Anchors and aliases are expanded; merge keys ({@code <<}) get no special meaning.
 */
public final class YamlReader {

    /** Files larger than this are refused unread. */
    public static final long MAX_FILE_BYTES = 4L * 1024 * 1024;

    /** Beyond this many nodes (after alias expansion) a document is refused, against alias bombs. */
    static final int MAX_NODES = 100_000;
    private static final int MAX_DEPTH = 64;

    private final String fileName;
    private final Diagnostics diagnostics;
    private int nodes;

    private YamlReader(String fileName, Diagnostics diagnostics) {
        this.fileName = fileName;
        this.diagnostics = diagnostics;
    }

    /**
     * Reads {@code text}. Returns the root node, or empty when the document is empty or could not
     * be read (the reason, if any, is in {@code diagnostics}).
     *
     * @param text the YAML text
     * @param fileName the file name used in every {@link Location}
     * @param diagnostics where problems are recorded
     */
    public static Optional<YamlNode> read(String text, String fileName, Diagnostics diagnostics) {
        LoadSettings settings = LoadSettings.builder()
                .setLabel(fileName)
                .setAllowRecursiveKeys(false)
                .setMaxAliasesForCollections(50)
                .build();
        Optional<Node> root;
        try {
            root = new Compose(settings).composeString(text);
        } catch (MarkedYamlEngineException e) {
            Location where = e.getProblemMark().map(m -> locate(fileName, m)).orElse(Location.ofFile(fileName));
            diagnostics.error(where, "YAML syntax error: " + describe(e));
            return Optional.empty();
        } catch (YamlEngineException e) {
            diagnostics.error(Location.ofFile(fileName), "YAML error: " + e.getMessage());
            return Optional.empty();
        }
        if (root.isEmpty()) {
            return Optional.empty();
        }
        YamlReader reader = new YamlReader(fileName, diagnostics);
        try {
            return Optional.of(reader.convert(root.get(), 0));
        } catch (TooLarge e) {
            diagnostics.error(Location.ofFile(fileName), e.getMessage());
            return Optional.empty();
        }
    }

    /**
     * Reads {@code file} (UTF-8) and then its YAML; diagnostics name the file as given. A missing,
     * unreadable, oversized or non-UTF-8 file is recorded as an error, like a syntax error.
     */
    public static Optional<YamlNode> readFile(Path file, Diagnostics diagnostics) {
        return readText(file, diagnostics).flatMap(text -> read(text, file.toString(), diagnostics));
    }

    /**
     * The text of {@code file} (UTF-8), or empty after recording why it cannot be read: no such
     * file, larger than {@link #MAX_FILE_BYTES}, not UTF-8, or an I/O error.
     */
    public static Optional<String> readText(Path file, Diagnostics diagnostics) {
        Location where = Location.ofFile(file.toString());
        try {
            if (Files.size(file) > MAX_FILE_BYTES) {
                diagnostics.error(where, "the file is larger than " + MAX_FILE_BYTES + " bytes");
                return Optional.empty();
            }
            byte[] bytes = Files.readAllBytes(file);
            return Optional.of(StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bytes)).toString());
        } catch (NoSuchFileException e) {
            diagnostics.error(where, "no such file");
        } catch (CharacterCodingException e) {
            diagnostics.error(where, "the file is not valid UTF-8");
        } catch (IOException e) {
            diagnostics.error(where, "cannot read the file: " + e.getMessage());
        }
        return Optional.empty();
    }

    private static String describe(MarkedYamlEngineException e) {
        String problem = e.getProblem() == null ? "" : e.getProblem();
        String context = e.getContext() == null ? "" : e.getContext();
        return (context.isEmpty() ? problem : problem + " (" + context + ")").replace('\n', ' ').trim();
    }

    private YamlNode convert(Node node, int depth) {
        if (++nodes > MAX_NODES) {
            throw new TooLarge("the document has more than " + MAX_NODES + " nodes once aliases are expanded");
        }
        if (depth > MAX_DEPTH) {
            throw new TooLarge("the document nests deeper than " + MAX_DEPTH + " levels");
        }
        Location where = node.getStartMark().map(m -> locate(fileName, m)).orElse(Location.ofFile(fileName));
        if (node instanceof ScalarNode scalar) {
            return new YamlScalar(scalar.getValue(), scalar.getScalarStyle() == ScalarStyle.PLAIN, where);
        }
        if (node instanceof SequenceNode sequence) {
            List<YamlNode> items = new ArrayList<>();
            for (Node item : sequence.getValue()) {
                items.add(convert(item, depth + 1));
            }
            return new YamlSequence(items, where);
        }
        MappingNode mapping = (MappingNode) node;
        List<YamlMapping.Entry> entries = new ArrayList<>();
        Map<String, YamlScalar> seen = new HashMap<>();
        for (NodeTuple tuple : mapping.getValue()) {
            YamlNode key = convert(tuple.getKeyNode(), depth + 1);
            YamlNode value = convert(tuple.getValueNode(), depth + 1);
            if (!(key instanceof YamlScalar scalarKey)) {
                diagnostics.error(key, "a mapping key must be a plain name, not " + key.shape());
                continue;
            }
            YamlScalar first = seen.putIfAbsent(scalarKey.value(), scalarKey);
            if (first != null) {
                diagnostics.error(scalarKey, "duplicate key '" + Quoting.shorten(scalarKey.value())
                        + "' (first at line " + first.location().line() + ")");
                continue;
            }
            entries.add(new YamlMapping.Entry(scalarKey, value));
        }
        return new YamlMapping(entries, where);
    }

    private static Location locate(String fileName, Mark mark) {
        return new Location(fileName, mark.getLine() + 1, mark.getColumn() + 1);
    }

    private static final class TooLarge extends RuntimeException {
        private static final long serialVersionUID = 1L;

        TooLarge(String message) {
            super(message, null, false, false);
        }
    }
}
