package dev.pgseal.keys.audit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Optional;

/**
 * The append-only file of audit checkpoints, one JSON line each (see docs/keys.md for shipping it
 * to write-once storage). Writes are single {@code O_APPEND} writes of a whole line followed by an
 * fsync, so concurrent writers never interleave within a line and a line that was reported written
 * survives a crash.
 */
public final class CheckpointFile {

    private CheckpointFile() {
    }

    /** Appends one line and forces it to disk. */
    public static void append(Path file, AuditCheckpoint checkpoint) {
        byte[] line = (checkpoint.toJsonLine() + "\n").getBytes(StandardCharsets.UTF_8);
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.APPEND)) {
                ByteBuffer b = ByteBuffer.wrap(line);
                while (b.hasRemaining()) {
                    ch.write(b);
                }
                ch.force(true);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot append an audit checkpoint to " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * What a checkpoint file says: its newest authentic checkpoint (the one with the highest last
     * id; lines of several instances may interleave), or the first line that is not authentic.
     *
     * @param newest the newest checkpoint, empty when the file holds none
     * @param lines how many checkpoint lines were read
     * @param problem the first bad line, e.g. {@code line 3 does not authenticate under audit key 'x'}; null when none
     * @param missing whether the file does not exist
     */
    public record Reading(Optional<AuditCheckpoint> newest, int lines, String problem, boolean missing) {
    }

    /** Reads every line and checks each one's MAC under {@code key}. */
    public static Reading read(Path file, AuditMac key) {
        List<String> text;
        try {
            text = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return new Reading(Optional.empty(), 0, null, true);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the audit checkpoint file " + file + ": " + e.getMessage(), e);
        }
        AuditCheckpoint newest = null;
        int lines = 0;
        for (int i = 0; i < text.size(); i++) {
            String line = text.get(i).strip();
            if (line.isEmpty()) {
                continue;
            }
            AuditCheckpoint c;
            try {
                c = AuditCheckpoint.parse(line);
            } catch (IllegalArgumentException e) {
                return new Reading(Optional.ofNullable(newest), lines,
                        file + " line " + (i + 1) + " is not a checkpoint (" + e.getMessage() + ")", false);
            }
            if (!c.authenticates(key)) {
                return new Reading(Optional.ofNullable(newest), lines, file + " line " + (i + 1)
                        + " does not authenticate under audit key '" + key.keyLabel() + "' (forged or altered)", false);
            }
            lines++;
            if (newest == null || c.lastId() > newest.lastId()
                    || (c.lastId() == newest.lastId() && c.at().isAfter(newest.at()))) {
                newest = c;
            }
        }
        return new Reading(Optional.ofNullable(newest), lines, null, false);
    }
}
